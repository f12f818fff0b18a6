// Sign in with GitHub, end to end against a fake GitHub on loopback.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, userLinks, users } from "../../../src/db/schema.ts";
import { addUser, startTestApp, useTestApp } from "../../support/harness.ts";
import { body, Browser, signedInAs, signInThrough, GITHUB_CALLBACK, setCookies } from "./browser.ts";
import { account, GITHUB_CLIENT_SECRET, startFakeGithub, type FakeGithub } from "./fake-github.ts";

let github: FakeGithub;
beforeAll(async () => {
  github = await startFakeGithub();
});
afterAll(() => github.close());

describe("GitHub web flow", () => {
  const { app } = useTestApp({ env: () => github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) });

  it("creates the first user as owner, links the account, and lands on the saved path", async () => {
    const octo = account({ login: "octo_cat", name: "  Octo Cat  " });
    github.signIn(octo);
    const browser = new Browser(app);
    const done = await browser.signIn(`${GITHUB_CALLBACK}?redirect=${encodeURIComponent("/workspaces?filter=mine")}`);
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/workspaces?filter=mine");
    const session = setCookies(done).find((c: string) => c.startsWith("coder_session_token="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Max-Age=31536000/);
    // The one-time flow secrets are spent.
    expect(browser.cookies.has("oauth_state")).toBe(false);
    expect(browser.cookies.has("oauth_pkce_verifier")).toBe(false);

    const user = await signedInAs(app, browser);
    expect(user).toMatchObject({
      username: "octo-cat",
      name: "Octo Cat",
      email: "octocat@example.com",
      login_type: "github",
      status: "active",
      avatar_url: octo.avatar_url,
      roles: [{ name: "owner", display_name: "Owner" }],
    });
    expect(user.organization_ids).toHaveLength(1);
    const [link] = await app.db.select().from(userLinks).where(eq(userLinks.userId, user.id));
    expect(link).toMatchObject({ loginType: "github", linkedId: String(octo.id), oauthExpiry: null });
    const [key] = await app.db.select().from(apiKeys).where(eq(apiKeys.userId, user.id));
    expect(key).toMatchObject({ loginType: "github", lifetimeSeconds: 86400 });
    const [row] = await app.db.select().from(users).where(eq(users.id, user.id));
    // An Enterprise login (the fake GitHub) never records a github.com id.
    expect(row).toMatchObject({ hashedPassword: "", githubComUserId: null });

    // Signing in again finds the same user through the link, even after GitHub renamed the account.
    github.signIn({ ...octo, login: "renamed", name: "Renamed Cat" });
    const again = new Browser(app);
    expect((await again.signIn(GITHUB_CALLBACK)).status).toBe(307);
    expect(await signedInAs(app, again)).toMatchObject({ id: user.id, username: "octo-cat", name: "Renamed Cat" });
  });

  it("redirects to GitHub with state and an S256 PKCE challenge, and sets the flow cookies", async () => {
    const browser = new Browser(app);
    const res = await browser.get(`${GITHUB_CALLBACK}?redirect=/settings`);
    expect(res.status).toBe(307);
    const to = new URL(res.headers.get("location")!);
    expect(`${to.origin}${to.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: "gatehouse-github-client",
      redirect_uri: "http://gatehouse.test/api/v2/users/oauth2/github/callback",
      response_type: "code",
      scope: "read:user read:org user:email",
      state: browser.cookies.get("oauth_state"),
      code_challenge_method: "S256",
    });
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.cookies.get("oauth_redirect")).toBe("/settings");
    for (const line of setCookies(res)) expect(line).toMatch(/Path=\/; HttpOnly; SameSite=Lax/);
    // The verifier stays in the browser's cookie, never in the URL.
    expect(res.headers.get("location")).not.toContain(browser.cookies.get("oauth_pkce_verifier")!);
  });

  it.each([
    ["https://evil.test/steal", "/"],
    ["//evil.test/steal", "/"],
    ["/\\evil.test", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok/path?x=1#frag", "/ok/path?x=1#frag"],
  ])("keeps only a local path from redirect=%s", async (redirect, saved) => {
    const browser = new Browser(app);
    await browser.get(`${GITHUB_CALLBACK}?redirect=${encodeURIComponent(redirect)}`);
    expect(browser.cookies.get("oauth_redirect")).toBe(saved);
  });

  it("never lands on another site, even from a forged redirect cookie", async () => {
    github.signIn(account({ login: "forger" }));
    const browser = new Browser(app);
    const start = await browser.get(GITHUB_CALLBACK);
    browser.cookies.set("oauth_redirect", "https://evil.test/");
    const back = new URL((await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!);
    const done = await browser.get(back.pathname + back.search);
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/");
  });

  it("answers 401 with a redirect to the login page when the user is in none of the allowed organizations", async () => {
    github.signIn(account({ login: "outsider", orgs: ["other-org"] }));
    const res = await new Browser(app).signIn(`${GITHUB_CALLBACK}?redirect=/here`);
    expect(res.status).toBe(401);
    expect(await body(res)).toEqual({ message: "You aren't a member of the authorized Github organizations!" });
    const login = new URL(res.headers.get("location")!, "http://x");
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("message")).toBe("You aren't a member of the authorized Github organizations!");
    expect(login.searchParams.get("redirect")).toBe("/here");
    expect(setCookies(res).some((c: string) => c.startsWith("coder_session_token="))).toBe(false);
  });

  it("requires a verified primary email", async () => {
    github.signIn(account({ login: "unverified", emails: [{ email: "unverified@example.com", primary: true, verified: false }] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual({ message: "Your primary email must be verified on GitHub!" });
  });

  it("links by email only to a user of the same login type", async () => {
    await addUser(app, { username: "pat", email: "pat@example.com" });
    github.signIn(account({ login: "pat-gh", emails: [{ email: "PAT@example.com", primary: true, verified: true }] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({
      message: "Incorrect login type",
      detail:
        'Attempting to use login type "github", but the user has the login type "password". You can convert your account to use this login type by visiting your account settings.',
    });

    const gh = await addUser(app, { username: "gail", email: "gail@example.com", loginType: "github", status: "dormant" });
    github.signIn(account({ login: "gail-on-github", emails: [{ email: "gail@example.com", primary: true, verified: true }] }));
    // The existing user is linked (not duplicated) and woken from dormancy.
    expect(await signInThrough(app, GITHUB_CALLBACK)).toMatchObject({ id: gh.id, username: "gail", status: "active" });
  });

  it("picks another username when the GitHub login is taken", async () => {
    await addUser(app, { username: "taken", email: "someone-else@example.com" });
    github.signIn(account({ login: "taken", emails: [{ email: "new-taken@example.com", primary: true, verified: true }] }));
    const user = await signInThrough(app, GITHUB_CALLBACK);
    expect(user.username).toMatch(/^taken-[a-z]+-[a-z]+\d$/);
  });

  it("refuses a suspended user without opening a session", async () => {
    const suspended = await addUser(app, { username: "sus", email: "sus@example.com", loginType: "github", status: "suspended" });
    github.signIn(account({ login: "sus", emails: [{ email: "sus@example.com", primary: true, verified: true }] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(401);
    expect(await app.db.select().from(apiKeys).where(eq(apiKeys.userId, suspended.id))).toEqual([]);
  });

  describe("the return leg's checks", () => {
    it("needs a state", async () => {
      const res = await new Browser(app).get(`${GITHUB_CALLBACK}?code=abc`);
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual({ message: "State must be provided." });
    });

    it("needs the state cookie", async () => {
      const res = await new Browser(app).get(`${GITHUB_CALLBACK}?code=abc&state=xyz`);
      expect(res.status).toBe(401);
      expect(await body(res)).toEqual({ message: 'Cookie "oauth_state" must be provided.' });
    });

    it("needs the state to match the cookie", async () => {
      const browser = new Browser(app);
      await browser.get(GITHUB_CALLBACK);
      const res = await browser.get(`${GITHUB_CALLBACK}?code=abc&state=not-the-state`);
      expect(res.status).toBe(401);
      expect(await body(res)).toEqual({ message: "State mismatched." });
    });

    it("passes on the provider's error", async () => {
      const res = await new Browser(app).get(
        `${GITHUB_CALLBACK}?error=access_denied&error_description=The+user+said+no&error_uri=https://docs.example/e`,
      );
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual({
        message: "Encountered error in oidc process: access_denied",
        detail: "The user said no, error_uri: https://docs.example/e",
      });
    });

    it("needs the PKCE verifier cookie", async () => {
      const browser = new Browser(app);
      await browser.get(GITHUB_CALLBACK);
      browser.cookies.delete("oauth_pkce_verifier");
      const res = await browser.get(`${GITHUB_CALLBACK}?code=abc&state=${browser.cookies.get("oauth_state")}`);
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual({ message: "PKCE challenge must be provided." });
    });

    it("reports a code GitHub refuses, without any secret", async () => {
      const browser = new Browser(app);
      await browser.get(GITHUB_CALLBACK);
      const res = await browser.get(`${GITHUB_CALLBACK}?code=made-up&state=${browser.cookies.get("oauth_state")}`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ message: "Failed exchanging Oauth code.", detail: "bad_verification_code" });
      expect(text).not.toContain(GITHUB_CLIENT_SECRET);
    });
  });

  it("never puts the client secret or GitHub's tokens in a response", async () => {
    github.signIn(account({ login: "leakcheck" }));
    const browser = new Browser(app);
    const start = await browser.get(GITHUB_CALLBACK);
    const back = new URL((await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!);
    const done = await browser.get(back.pathname + back.search);
    const seen = [start, done].map((r) => [...r.headers].join("\n")).join("\n") + (await done.text());
    const secrets = [GITHUB_CLIENT_SECRET, github.issuedTokens.at(-1)!];
    for (const s of secrets) expect(seen).not.toContain(s);
    const meRes = await app.request("/api/v2/users/me", { token: browser.cookies.get("coder_session_token") });
    const meText = await meRes.text();
    for (const s of secrets) expect(meText).not.toContain(s);
    // The provider token is kept (for the session checks), in the link row only.
    const user = JSON.parse(meText) as { id: string };
    const [link] = await app.db
      .select()
      .from(userLinks)
      .where(and(eq(userLinks.userId, user.id), eq(userLinks.loginType, "github")));
    expect(link!.oauthAccessToken).toBe(github.issuedTokens.at(-1));
  });
});

describe("GitHub teams and signups", () => {
  const { app } = useTestApp({ env: () => github.env({ CODER_OAUTH2_GITHUB_ALLOWED_TEAMS: "acme/platform" }) });

  it("lets the first user in even with signups off, then refuses newcomers", async () => {
    github.signIn(account({ login: "founder", teams: ["acme/platform"] }));
    const first = new Browser(app);
    expect((await first.signIn(GITHUB_CALLBACK)).status).toBe(307);
    expect(await signedInAs(app, first)).toMatchObject({ roles: [{ name: "owner" }] });

    github.signIn(account({ login: "newcomer", teams: ["acme/platform"] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({
      message: "Signups are disabled",
      detail: "Please contact your Coder administrator to request access.",
    });
  });

  it("requires membership of an allowed team", async () => {
    github.signIn(account({ login: "no-team", orgs: ["acme", "other"], teams: ["acme/marketing"] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(401);
    expect(await body(res)).toEqual({ message: "You aren't a member of an authorized team in the [acme] Github organization(s)!" });
  });
});

describe("GitHub first sign-ins racing", () => {
  it("create exactly one owner when ten newcomers arrive at once with signups off", async () => {
    const app = await startTestApp({ env: github.env() });
    try {
      // Each browser gets its code from GitHub first (the code names the account), then all come back together.
      const returns: { browser: Browser; path: string }[] = [];
      for (let i = 0; i < 10; i++) {
        github.signIn(account({ login: `racer-${i}` }));
        const browser = new Browser(app);
        const start = await browser.get(GITHUB_CALLBACK);
        const back = new URL((await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!);
        returns.push({ browser, path: back.pathname + back.search });
      }
      const results = await Promise.all(returns.map(({ browser, path }) => browser.get(path)));
      expect(results.map((r) => r.status).sort()).toEqual([307, ...Array(9).fill(403)]);
      const rows = await app.db.select().from(users);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.rbacRoles).toEqual(["owner"]);
    } finally {
      await app.close();
    }
  });
});
