// The administration pages (/users, /users/{username}, /audit) as the server renders them, for each kind of
// person: who gets the page, who gets "not allowed" or the sign-in redirect, which controls each is shown,
// and what a bad search shows (the API's own message on the page, never a raw JSON body or a stack).
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../../../src/auth/token-source.ts";
import { PAGES_CONTENT_SECURITY_POLICY } from "../../../src/http/headers.ts";
import { useRolesWorld, useTestApp } from "../../support/harness.ts";

const w = useRolesWorld();

async function open(path: string, token?: string) {
  const res = await w.app.request(path, token ? { headers: { cookie: `${SESSION_COOKIE}=${token}` } } : {});
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** A page never leaks what a browser should not show: the API's JSON or a stack. */
function expectCleanHtml(page: { headers: Headers; html: string }) {
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  expect(page.html).not.toMatch(/\{"message"|"validations"|at [\w.]+ \(|Error: /);
}

describe("who may open /users and /audit", () => {
  it("sends a signed-out visitor to sign in, back to the page afterwards", async () => {
    for (const path of ["/users", "/audit", "/users/member"]) {
      const res = await w.app.request(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/login?redirect=${encodeURIComponent(path)}`);
    }
  });

  it("refuses a member with a 403 page and no controls, and shows them neither link", async () => {
    for (const path of ["/users", "/audit", "/users/other"]) {
      const page = await open(path, w.member.token);
      expect(page.status).toBe(403);
      expectCleanHtml(page);
      expect(page.html).toContain("<h1>Not allowed</h1>");
      expect(page.html).not.toContain('data-api-path="/api/v2/users"');
      expect(page.html).not.toMatch(/status\/suspend|\/roles"/);
      expect(page.html).not.toMatch(/href="\/users"|href="\/audit"/);
      expect(page.headers.get("content-security-policy")).toBe(PAGES_CONTENT_SECURITY_POLICY);
    }
    const account = await open("/", w.member.token);
    expect(account.status).toBe(200);
    expect(account.html).not.toMatch(/href="\/users"|href="\/audit"/);
  });

  it("gives an owner both pages and both links", async () => {
    const users = await open("/users", w.owner.token);
    expect(users.status).toBe(200);
    expect(users.html).toMatch(/href="\/users" aria-current="page">Users/);
    expect(users.html).toContain('href="/audit"');
    expect(users.html).toContain('data-api-path="/api/v2/users"');
    for (const name of ["owner", "member", "auditor", "useradmin"]) expect(users.html).toContain(`href="/users/${name}"`);
    expect((await open("/audit", w.owner.token)).status).toBe(200);
  });

  it("gives a user admin /users but not /audit; an auditor /audit but not /users", async () => {
    const ua = await open("/users", w.userAdmin.token);
    expect(ua.status).toBe(200);
    expect(ua.html).not.toContain('href="/audit"');
    expect((await open("/audit", w.userAdmin.token)).status).toBe(403);
    const au = await open("/audit", w.auditor.token);
    expect(au.status).toBe(200);
    expect(au.html).not.toContain('href="/users"');
    expect((await open("/users", w.auditor.token)).status).toBe(403);
  });
});

describe("a user's page shows only what the API allows the actor", () => {
  it("gives an owner every control on a member, the owner role among the assignable ones", async () => {
    const page = await open("/users/other", w.owner.token);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`/api/v2/users/${w.other.id}/status/suspend`);
    expect(page.html).toContain(`data-api-path="/api/v2/users/${w.other.id}/roles"`);
    expect(page.html).toMatch(/id="role-owner" name="roles" value="owner"/);
    expect(page.html).toContain(`data-api-path="/api/v2/users/${w.other.id}/password"`);
    expect(page.html).toContain('data-confirm-dialog="Delete other?');
  });

  it("gives a user admin no role picker (they may grant no site role) and no control on an owner", async () => {
    // User admins assign only the implied member role (src/auth/rbac.ts).
    const member = await open("/users/other", w.userAdmin.token);
    expect(member.status).toBe(200);
    expect(member.html).not.toContain('id="roles"');
    expect(member.html).not.toContain(`/api/v2/users/${w.other.id}/roles`);
    // Status, password and deletion are theirs on a member.
    expect(member.html).toContain(`/api/v2/users/${w.other.id}/status/suspend`);
    expect(member.html).toContain(`data-api-path="/api/v2/users/${w.other.id}/password"`);
    expect(member.html).toContain(`data-api-method="DELETE" data-api-path="/api/v2/users/${w.other.id}"`);
    const owner = await open("/users/owner", w.userAdmin.token);
    expect(owner.status).toBe(200);
    expect(owner.html).toContain("Only an owner can change an owner.");
    expect(owner.html).not.toMatch(/data-api-path="\/api\/v2\/users\/[^"]+\/(status|roles|password)/);
  });

  it("shows no controls on one's own page, and a 404 page for an unknown user", async () => {
    const self = await open("/users/owner", w.owner.token);
    expect(self.html).toContain("This is you");
    expect(self.html).not.toContain("status/suspend");
    const missing = await open("/users/nobody-here", w.owner.token);
    expect(missing.status).toBe(404);
    expectCleanHtml(missing);
    expect(missing.html).toContain("Resource not found or you do not have access to this resource");
  });
});

describe("search and paging", () => {
  it("passes q to the API and shows the matches", async () => {
    const page = await open(`/users?q=${encodeURIComponent("role:auditor")}`, w.owner.token);
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/users/auditor"');
    expect(page.html).not.toContain('href="/users/member"');
    expect(page.html).toContain('<h2 id="users-h">1 found</h2>');
  });

  it("shows the API's validation message for a bad query, on a 400 page", async () => {
    const page = await open(`/users?q=${encodeURIComponent("status:sleeping")}`, w.owner.token);
    expect(page.status).toBe(400);
    expectCleanHtml(page);
    expect(page.html).toContain("Invalid user search query.");
    expect(page.html).toMatch(/<li>status: [^<]*sleeping/);
    expect(page.html).toMatch(/id="users-q"[^>]*value="status:sleeping"[^>]*aria-invalid="true"/);
    const bad = await open(`/users?after_id=not-a-uuid`, w.owner.token);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Query param &quot;after_id&quot; must be a valid uuid");
  });

  it("pages by keyset: next while there is more, first page to go back", async () => {
    const first = await open("/users?limit=2", w.owner.token);
    const next = first.html.match(/href="(\/users\?limit=2&amp;after_id=[0-9a-f-]+)" rel="next"/);
    expect(next).not.toBeNull();
    expect(first.html).not.toContain("First page");
    const seen = new Set([...first.html.matchAll(/<a href="\/users\/([^"]+)">/g)].map((m) => m[1]));
    expect(seen.size).toBe(2);
    const second = await open(next![1]!.replaceAll("&amp;", "&"), w.owner.token);
    expect(second.html).toContain('href="/users?limit=2">First page');
    const more = [...second.html.matchAll(/<a href="\/users\/([^"]+)">/g)].map((m) => m[1]);
    expect(more.length).toBeGreaterThan(0);
    for (const name of more) expect(seen.has(name)).toBe(false);
  });

  it("audit: q goes to the API unchanged; a bad term shows the API's message", async () => {
    // The world's sign-ins are audited as action login.
    const page = await open(`/audit?q=${encodeURIComponent("action:login status:2xx")}`, w.auditor.token);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<td data-label="Action">login<\/td>/);
    expect(page.html).not.toMatch(/<td data-label="Action">(?!login)/);
    const bad = await open(`/audit?q=${encodeURIComponent("color:blue")}`, w.auditor.token);
    expect(bad.status).toBe(400);
    expectCleanHtml(bad);
    expect(bad.html).toContain("Invalid audit search query.");
    expect(bad.html).toContain("Query param &quot;color&quot; is not a valid query param");
    expect(bad.html).toMatch(/id="audit-q"[^>]*value="color:blue"[^>]*aria-invalid="true"/);
  });
});

describe("the create-user form's sign-in methods", () => {
  const withOidc = useTestApp({
    owner: true,
    env: { CODER_OIDC_ISSUER_URL: "https://idp.test", CODER_OIDC_CLIENT_ID: "id", CODER_OIDC_CLIENT_SECRET: "secret" },
  });
  const loginTypes = (html: string) => [...html.matchAll(/<option>(\w+)<\/option>/g)].map((m) => m[1]);

  it("offers password alone where no provider is configured", async () => {
    expect(loginTypes((await open("/users", w.owner.token)).html)).toEqual(["password"]);
  });

  it("offers a provider once it is configured", async () => {
    const res = await withOidc.app.request("/users", { headers: { cookie: `${SESSION_COOKIE}=${withOidc.owner.token}` } });
    expect(res.status).toBe(200);
    expect(loginTypes(await res.text())).toEqual(["password", "oidc"]);
  });
});
