// The console over HTTP (no browser): where a page sends someone who may not see it, the headers that hold
// it to this origin, its static files and their caching, and what a page must never contain.
// test/browser/ drives the same pages in Chromium.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { hashedName, STATIC_DIR } from "../../../scripts/console-assets.ts";
import { SESSION_COOKIE } from "../../../src/auth/token-source.ts";
import { PAGES_CONTENT_SECURITY_POLICY } from "../../../src/http/headers.ts";
import { ASSET_MANIFEST } from "../../../src/pages/asset-manifest.ts";
import { assetPath } from "../../../src/pages/assets.ts";
import { addUser, post, type TestApp, useTestApp } from "../../support/harness.ts";

const page = (app: TestApp, path: string, token?: string) =>
  app.request(path, token ? { headers: { cookie: `${SESSION_COOKIE}=${token}` } } : {});

describe("a deployment without users", () => {
  const { app } = useTestApp();

  it("sends every page to /setup, which shows the owner form", async () => {
    for (const path of ["/", "/login"]) {
      const res = await page(app, path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/setup");
    }
    const res = await page(app, "/setup");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-api-path="/api/v2/users/first"');
    expect(html).toContain('data-validate-password="setup-password-strength"');
  });
});

describe("a deployment with its owner", () => {
  const { app, owner } = useTestApp({ owner: true });

  it("/setup redirects to /login once a user exists", async () => {
    const res = await page(app, "/setup");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
  });

  it("signed out, / redirects to /login with the way back; a dead or forged session does too", async () => {
    for (const token of [undefined, "not-a-token", `${owner.token}x`]) {
      const res = await page(app, "/", token);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/login?redirect=%2F");
    }
  });

  it("a page's API reads carry its request id, so their log lines are found with the page's", async () => {
    const seen: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void seen.push(String(line)));
    app.deps.config = { ...app.deps.config, logRequests: true };
    try {
      const res = await page(app, "/", owner.token);
      expect(res.status).toBe(200);
      const id = res.headers.get("x-request-id")!;
      const routes = seen
        .map((l) => JSON.parse(l) as { request_id?: string; route?: string })
        .filter((l) => l.request_id === id)
        .map((l) => l.route);
      expect(routes).toEqual(expect.arrayContaining(["/", "/api/v2/users/:user", "/api/v2/users/:user/gitsshkey", "/api/v2/auth/scopes"]));
    } finally {
      spy.mockRestore();
      app.deps.config = { ...app.deps.config, logRequests: false };
    }
  });

  it("a suspended person's session no longer opens the account page", async () => {
    const user = await addUser(app, { username: "soon-suspended", login: true });
    expect((await page(app, "/", user.token)).status).toBe(200);
    expect((await app.request(`/api/v2/users/${user.id}/status/suspend`, { method: "PUT", token: owner.token })).status).toBe(200);
    const res = await page(app, "/", user.token);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?redirect=%2F");
  });

  it("/login: a signed-in person goes on to the redirect, which must stay on this site", async () => {
    const cases: [string, string][] = [
      ["", "/"],
      ["?redirect=%2F%3Ftab%3Dtokens", "/?tab=tokens"],
      ["?redirect=https%3A%2F%2Fevil.test%2F", "/"],
      ["?redirect=%2F%2Fevil.test", "/"],
      ["?redirect=%2F%5Cevil.test", "/"],
      // Not back to itself: that would loop.
      ["?redirect=%2Flogin%3Fredirect%3D%252Flogin", "/"],
      ["?redirect=%2Fsetup", "/"],
    ];
    for (const [query, location] of cases) {
      const res = await page(app, `/login${query}`, owner.token);
      expect(res.status, query).toBe(303);
      expect(res.headers.get("location"), query).toBe(location);
    }
  });

  it("attack: /login hands an off-site redirect to neither the form nor the provider buttons", async () => {
    const html = await (await page(app, "/login?redirect=https%3A%2F%2Fevil.test%2Fphish")).text();
    expect(html).not.toContain("evil.test");
    expect(html).toContain('data-redirect="/"');
  });

  it("every page carries the console's CSP, is never cached, and runs no inline script or style", async () => {
    const pages: [string, string | undefined][] = [
      ["/", owner.token],
      ["/login", undefined],
    ];
    for (const [path, token] of pages) {
      const res = await page(app, path, token);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy"), path).toBe(PAGES_CONTENT_SECURITY_POLICY);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      const html = await res.text();
      expect(
        [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => [m[1]!.trim(), m[2]]),
        path,
      ).toEqual([[`src="${assetPath("console.js")}" defer`, ""]]);
      expect(html, path).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
      // Without the script a form posts to the page (a 404), never a GET that would put a password in the URL.
      const forms = [...html.matchAll(/<form\b[^>]*>/g)].map((m) => m[0]);
      expect(forms.length, path).toBeGreaterThan(0);
      for (const form of forms) expect(form, path).toMatch(/ method="post"/);
      // Every resource is this site's: the hashed files, the empty icon, same-site links.
      for (const [, url] of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(url, path).toMatch(/^(\/(?!\/)|#|data:,$)/);
    }
    const directives = Object.fromEntries(PAGES_CONTENT_SECURITY_POLICY.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "connect-src": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
      "base-uri": ["'none'"],
    });
  });

  it("attack: no secret in the account page: not the session token, not a token's key, not a password hash", async () => {
    const created = await post(app, "/users/me/keys/tokens", { token_name: "ci" }, owner.token);
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const html = await (await page(app, "/", owner.token)).text();
    expect(html).toContain(">ci</td>");
    expect(html).not.toContain(key);
    // Not even its signature, the part that makes it a credential.
    expect(html).not.toContain(key.split(".")[2]!);
    expect(html).not.toContain(owner.token);
    expect(html).not.toContain("$argon2");
    // The new-token panel is in every render, empty: the key exists only in the browser that asked for it.
    expect(html).toMatch(/<code id="new-token-value" class="secret"><\/code>/);
  });

  it("page text from the database is escaped", async () => {
    const res = await app.request("/api/v2/users/me/profile", {
      method: "PUT",
      token: owner.token,
      json: { username: "owner", name: "Olivia <script>alert(1)</script>" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const html = await (await page(app, "/", owner.token)).text();
    expect(html).toContain("Olivia &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
  });

  it("a member sees no username field they may not change and no navigation to admin pages", async () => {
    const member = await addUser(app, { username: "plain-member", login: true });
    const html = await (await page(app, "/", member.token)).text();
    expect(html).toMatch(/<input id="profile-username" name="username" type="text" value="plain-member"[^>]* readonly/);
    // Their organizations, as GET /users/me/organizations lists them.
    const orgs = (await (await app.request("/api/v2/users/me/organizations", { token: member.token })).json()) as { name: string }[];
    const section = html.match(/<section id="organizations"[\s\S]*?<\/section>/)![0];
    expect(orgs.length).toBeGreaterThan(0);
    for (const o of orgs) expect(section).toContain(`(${o.name})`);
    expect(section).toContain('<span class="chip">default</span>');
    // Notification switches only for what they receive; an owner also gets the administrators' ones.
    expect(html).toContain(">Your account has been suspended</label>");
    expect(html).not.toContain(">User account created</label>");
    expect(await (await page(app, "/", owner.token)).text()).toContain(">User account created</label>");
    const nav = html.match(/<nav[\s\S]*?<\/nav>/)![0];
    expect([...nav.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(["/"]);
  });

  it("an unknown path outside the console is still the API's JSON 404", async () => {
    for (const path of ["/nope", "/api/v2/nope", "/assets/console.css", "/assets/axe.min.js", "/assets/../package.json"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ message: "Route not found." });
    }
  });
});

describe("static files", () => {
  const { app } = useTestApp();

  it("each is served under its content-hashed name with a year's immutable caching and the right type", async () => {
    const types: Record<string, RegExp> = { css: /^text\/css/, js: /^(text|application)\/javascript/ };
    for (const [file, hashed] of Object.entries(ASSET_MANIFEST)) {
      const res = await app.request(`/assets/${hashed}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get("cache-control"), file).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-type"), file).toMatch(types[file.split(".").pop()!]!);
      expect(await res.text(), file).toBe(readFileSync(join(STATIC_DIR, file), "utf8"));
    }
  });

  it("each name carries the hash of the bytes served under it, so a changed file is a new URL", async () => {
    for (const [file, hashed] of Object.entries(ASSET_MANIFEST)) {
      const served = Buffer.from(await (await app.request(`/assets/${hashed}`)).arrayBuffer());
      expect(hashedName(file, served), file).toBe(hashed);
      expect(hashedName(file, Buffer.concat([served, Buffer.from(" ")])), file).not.toBe(hashed);
    }
  });

  it("attack: the client script keeps nothing in localStorage and evaluates no strings", () => {
    const script = readFileSync(join(STATIC_DIR, "console.js"), "utf8");
    expect(script).not.toMatch(/localStorage\s*[.[]|\beval\(|new Function|innerHTML|document\.write/);
  });
});

describe("/login with providers", () => {
  const oidc = { CODER_OIDC_ISSUER_URL: "https://idp.test", CODER_OIDC_CLIENT_ID: "id", CODER_OIDC_CLIENT_SECRET: "secret" };
  const github = {
    CODER_OAUTH2_GITHUB_CLIENT_ID: "gh-id",
    CODER_OAUTH2_GITHUB_CLIENT_SECRET: "gh-secret",
    CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: "true",
  };
  const remote = useTestApp({
    owner: true,
    env: { ...oidc, ...github, CODER_OIDC_SIGN_IN_TEXT: "Acme <SSO>", CODER_OIDC_ICON_URL: "https://cdn.test/acme.svg" },
  });
  const local = useTestApp({ owner: true, env: { ...oidc, CODER_OIDC_ICON_URL: "/acme.svg", CODER_DISABLE_PASSWORD_AUTH: "true" } });

  it("a button per provider with the OIDC text, carrying the redirect; an icon on another origin is left out", async () => {
    const html = await (await page(remote.app, "/login?redirect=%2F%3Fx%3D1")).text();
    expect(html).toContain('<a href="/api/v2/users/oauth2/github/callback?redirect=%2F%3Fx%3D1">Sign in with GitHub</a>');
    expect(html).toContain('<a href="/api/v2/users/oidc/callback?redirect=%2F%3Fx%3D1">Sign in with Acme &lt;SSO&gt;</a>');
    expect(html).not.toContain("cdn.test");
    expect(html).toContain('id="login-form"');
  });

  it("a same-origin icon is shown; without password sign-in there is no password form", async () => {
    const html = await (await page(local.app, "/login")).text();
    expect(html).toContain('<img src="/acme.svg" alt="">Sign in with OpenID Connect');
    expect(html).not.toContain('id="login-form"');
    expect(html).not.toContain("Forgot your password?");
  });
});
