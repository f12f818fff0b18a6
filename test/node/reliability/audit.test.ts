// The audit log: every state-changing request is recorded with actor, action, target, IP,
// user agent, request id, status and a diff that never holds a secret; owners and auditors read it through
// GET /api/v2/audit with Coder's q, limit and offset.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_RULES, NOT_AUDITED } from "../../../src/audit/actions.ts";
import { auditLogs, gitSshKeys, users } from "../../../src/db/schema.ts";
import { addUser, API, json, OWNER, startTestApp, useTestApp } from "../../support/harness.ts";
import { Browser, GITHUB_CALLBACK } from "../oauth/browser.ts";
import { account, GITHUB_CLIENT_SECRET, startFakeGithub } from "../oauth/fake-github.ts";

interface AuditLog {
  id: string;
  request_id: string;
  time: string;
  ip: string;
  user_agent: string;
  resource_type: string;
  resource_id: string;
  resource_target: string;
  action: string;
  diff: Record<string, { old?: unknown; new?: unknown; secret: boolean }>;
  status_code: number;
  description: string;
  organization_id: string;
  user: { id: string; username: string } | null;
}
interface AuditPage {
  audit_logs: AuditLog[];
  count: number;
}

const UA = "gatehouse-audit-test/1.0";
const { app, owner } = useTestApp({ clientIp: "192.0.2.10", owner: true });

/** Every request of this suite carries a user agent, so the log can be checked for it. */
function call(method: string, path: string, init: { token?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = { "user-agent": UA };
  if (init.raw !== undefined) headers["content-type"] = "application/json";
  return app.request(`${API}${path}`, {
    method,
    headers,
    ...(init.token ? { token: init.token } : {}),
    ...(init.body !== undefined ? { json: init.body } : {}),
    ...(init.raw !== undefined ? { body: init.raw } : {}),
  });
}

async function audit(query = "", token = owner.token): Promise<AuditPage> {
  await app.settle();
  const res = await call("GET", `/audit${query}`, { token });
  expect(res.status).toBe(200);
  return json<AuditPage>(res);
}

/** The record a response produced, found by the response's request id. */
async function recordOf(res: Response): Promise<AuditLog> {
  const requestId = res.headers.get("X-Request-Id")!;
  const page = await audit("?limit=1000");
  const found = page.audit_logs.filter((l) => l.request_id === requestId);
  expect(found, `one audit record for request ${requestId}`).toHaveLength(1);
  return found[0]!;
}

describe("every state-changing route is in the action table", () => {
  it("each non-GET operation of the OpenAPI document is audited or deliberately not, and each rule names a real route", async () => {
    const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await app.request(`${API}/openapi.json`));
    const operations: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) operations.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const writes = operations.filter((op) => /^(POST|PUT|PATCH|DELETE) \/api\/v2\//.test(op));
    expect(writes.length).toBeGreaterThan(15);
    for (const op of writes) expect(Object.hasOwn(AUDIT_RULES, op) || NOT_AUDITED.includes(op), `${op} is audited`).toBe(true);
    for (const rule of Object.keys(AUDIT_RULES)) expect(operations, `${rule} exists`).toContain(rule);
  });
});

describe("what a record holds", () => {
  let member: { id: string; username: string; email: string; password: string; token: string };

  it("POST /users: actor, action create, the new user as target, IP, user agent, request id, 201, a diff without the password", async () => {
    const res = await call("POST", "/users", {
      token: owner.token,
      body: {
        email: "mia@example.com",
        username: "mia",
        name: "Mia",
        password: "MiaSecret!123456",
        organization_ids: [owner.organizationId],
      },
    });
    expect(res.status).toBe(201);
    const created = await json<{ id: string }>(res.clone());
    const log = await recordOf(res);
    expect(log).toMatchObject({
      action: "create",
      resource_type: "user",
      resource_id: created.id,
      resource_target: "mia",
      ip: "192.0.2.10",
      user_agent: UA,
      status_code: 201,
      description: "{user} created user {target}",
      user: { id: owner.userId, username: OWNER.username },
    });
    expect(log.diff).toEqual({
      email: { new: "mia@example.com", secret: false },
      username: { new: "mia", secret: false },
      name: { new: "Mia", secret: false },
      organization_ids: { new: [owner.organizationId], secret: false },
      password: { secret: true },
    });
    member = { id: created.id, username: "mia", email: "mia@example.com", password: "MiaSecret!123456", token: "" };
  });

  it("login success: action login on the new key, the user who signed in as actor", async () => {
    const res = await call("POST", "/users/login", { body: { email: member.email, password: member.password } });
    expect(res.status).toBe(201);
    member.token = (await json<{ session_token: string }>(res.clone())).session_token;
    const jti = JSON.parse(Buffer.from(member.token.split(".")[1]!, "base64url").toString()).jti as string;
    const log = await recordOf(res);
    expect(log).toMatchObject({
      action: "login",
      resource_type: "api_key",
      resource_id: jti,
      status_code: 201,
      description: "{user} logged in",
      user: { id: member.id },
    });
    expect(log.diff).toEqual({ email: { new: member.email, secret: false }, password: { secret: true } });
  });

  it("login failure: 401 recorded against the account it named; an unknown email is recorded without a user", async () => {
    const wrong = await call("POST", "/users/login", { body: { email: member.email, password: "NotThePassword!1" } });
    expect(wrong.status).toBe(401);
    expect(await recordOf(wrong)).toMatchObject({
      action: "login",
      status_code: 401,
      resource_target: member.email,
      description: "{user} unsuccessfully attempted to login",
      user: { id: member.id },
    });
    const unknown = await call("POST", "/users/login", { body: { email: "nobody@example.com", password: "NotThePassword!1" } });
    expect(await recordOf(unknown)).toMatchObject({ action: "login", status_code: 401, resource_target: "nobody@example.com", user: null });
  });

  it("a password typed into the email box is not recorded", async () => {
    const res = await call("POST", "/users/login", { body: { email: "MyPassword!1234", password: "whatever" } });
    expect(res.status).toBe(400);
    const log = await recordOf(res);
    expect(JSON.stringify(log)).not.toContain("MyPassword!1234");
    expect(log.diff).toEqual({ password: { secret: true } });
  });

  it("profile, roles, status, appearance, preferences: action write on the user, the changed fields in the diff", async () => {
    const cases: [string, string, unknown, Record<string, unknown>][] = [
      [
        "PUT",
        `/users/${member.id}/profile`,
        { username: "mia2", name: "Mia Two" },
        { username: { new: "mia2", secret: false }, name: { new: "Mia Two", secret: false } },
      ],
      ["PUT", `/users/${member.id}/roles`, { roles: ["auditor"] }, { roles: { new: ["auditor"], secret: false } }],
      ["PUT", `/users/${member.id}/status/suspend`, undefined, { status: { new: "suspended", secret: false } }],
      ["PUT", `/users/${member.id}/status/activate`, undefined, { status: { new: "active", secret: false } }],
      [
        "PUT",
        `/users/${member.id}/appearance`,
        { theme_preference: "dark", terminal_font: "fira-code" },
        { theme_preference: { new: "dark", secret: false }, terminal_font: { new: "fira-code", secret: false } },
      ],
      [
        "PUT",
        `/users/${member.id}/preferences`,
        { task_notification_alert_dismissed: true },
        { task_notification_alert_dismissed: { new: true, secret: false } },
      ],
    ];
    for (const [method, path, body, diff] of cases) {
      const res = await call(method, path, { token: owner.token, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(200);
      const log = await recordOf(res);
      expect(log, path).toMatchObject({ action: "write", resource_type: "user", resource_id: member.id, user: { id: owner.userId } });
      expect(log.diff, path).toEqual(diff);
    }
    member.username = "mia2";
  });

  it("password change: both passwords recorded only as secret", async () => {
    const res = await call("PUT", `/users/${member.id}/password`, { token: owner.token, body: { password: "MiaNewSecret!7890" } });
    expect(res.status).toBe(204);
    const log = await recordOf(res);
    expect(log).toMatchObject({ action: "write", resource_type: "user", resource_target: member.username, status_code: 204 });
    expect(log.diff).toEqual({ password: { secret: true } });
    member.password = "MiaNewSecret!7890";
  });

  it("git SSH key regeneration: action write on git_ssh_key, the private key never recorded", async () => {
    const res = await call("PUT", `/users/${member.id}/gitsshkey`, { token: owner.token });
    expect(res.status).toBe(200);
    const log = await recordOf(res);
    expect(log).toMatchObject({
      action: "write",
      resource_type: "git_ssh_key",
      resource_id: member.id,
      description: "{user} updated the git ssh key",
    });
    expect(log.diff).toEqual({ private_key: { secret: true } });
    const [key] = await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, member.id));
    const rows = JSON.stringify(await app.db.select().from(auditLogs));
    expect(rows).not.toContain(key!.privateKey.split("\n")[1]!);
  });

  it("keys: create (token value never recorded), expire, delete", async () => {
    const token = await call("POST", "/users/me/keys/tokens", {
      token: owner.token,
      body: { token_name: "audit-token", scopes: ["user:read"] },
    });
    expect(token.status).toBe(201);
    const { key } = await json<{ key: string }>(token.clone());
    const jti = JSON.parse(Buffer.from(key.split(".")[1]!, "base64url").toString()).jti as string;
    const created = await recordOf(token);
    expect(created).toMatchObject({ action: "create", resource_type: "api_key", resource_id: jti, resource_target: "audit-token" });
    expect(created.diff).toEqual({ token_name: { new: "audit-token", secret: false }, scopes: { new: ["user:read"], secret: false } });

    const session = await call("POST", "/users/me/keys", { token: owner.token });
    expect(session.status).toBe(201);
    const sessionKey = (await json<{ key: string }>(session.clone())).key;
    expect((await recordOf(session)).action).toBe("create");

    const expire = await call("PUT", `/users/me/keys/${jti}/expire`, { token: owner.token });
    expect(expire.status).toBe(204);
    expect(await recordOf(expire)).toMatchObject({ action: "write", resource_type: "api_key", resource_id: jti });
    const del = await call("DELETE", `/users/me/keys/${jti}`, { token: owner.token });
    expect(del.status).toBe(204);
    expect(await recordOf(del)).toMatchObject({ action: "delete", resource_type: "api_key", resource_id: jti, status_code: 204 });

    const everything = JSON.stringify(await app.db.select().from(auditLogs));
    for (const secret of [key, sessionKey, key.split(".")[2]!, sessionKey.split(".")[2]!]) expect(everything).not.toContain(secret);
  });

  it("one-time passcode request and change: recorded by email, the passcode and password only as secret", async () => {
    const req = await call("POST", "/users/otp/request", { body: { email: member.email } });
    expect(req.status).toBe(204);
    expect(await recordOf(req)).toMatchObject({
      action: "request_password_reset",
      resource_type: "user",
      resource_target: member.email,
      // Coder's wording leaves out {user}: anyone who knows an email can ask.
      description: "password reset requested user {target}",
      user: { id: member.id },
    });
    const change = await call("POST", "/users/otp/change-password", {
      body: { email: member.email, password: "AnotherSecret!2468", one_time_passcode: "00000000-0000-4000-8000-000000000000" },
    });
    expect(change.status).toBe(400);
    const log = await recordOf(change);
    expect(log).toMatchObject({ action: "write", status_code: 400 });
    expect(log.diff).toEqual({
      email: { new: member.email, secret: false },
      password: { secret: true },
      one_time_passcode: { secret: true },
    });
  });

  it("logout: action logout on the caller's key", async () => {
    const jti = JSON.parse(Buffer.from(member.token.split(".")[1]!, "base64url").toString()).jti as string;
    // Signed in again: the password change ended the earlier session.
    const fresh = await call("POST", "/users/login", { body: { email: member.email, password: member.password } });
    const token = (await json<{ session_token: string }>(fresh)).session_token;
    const freshJti = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti as string;
    expect(freshJti).not.toBe(jti);
    const res = await call("POST", "/users/logout", { token });
    expect(res.status).toBe(200);
    expect(await recordOf(res)).toMatchObject({
      action: "logout",
      resource_type: "api_key",
      resource_id: freshJti,
      user: { id: member.id },
      description: "{user} logged out",
    });
  });

  it("DELETE /users/{user}: action delete, the deleted user as target", async () => {
    const res = await call("DELETE", `/users/${member.id}`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(await recordOf(res)).toMatchObject({
      action: "delete",
      resource_type: "user",
      resource_id: member.id,
      resource_target: member.username,
    });
  });

  it("failures are recorded with their status; unauthenticated calls to session routes are not (noise an attacker controls)", async () => {
    const before = (await audit()).count;
    const bad = await call("PUT", `/users/${owner.userId}/profile`, { token: owner.token, raw: "{not json" });
    expect(bad.status).toBe(400);
    expect(await recordOf(bad)).toMatchObject({ action: "write", status_code: 400, diff: {} });
    const anonymous = await call("DELETE", `/users/${owner.userId}`);
    expect(anonymous.status).toBe(401);
    const forged = await call("POST", "/users/me/keys", { token: "aaa.bbb.ccc" });
    expect(forged.status).toBe(401);
    expect((await audit()).count).toBe(before + 1);
  });

  it("reads never write a record", async () => {
    const before = (await audit()).count;
    for (const path of ["/users/me", "/users", `/users/${owner.userId}/keys/tokens`, "/audit"]) {
      expect((await call("GET", path, { token: owner.token })).status).toBe(200);
    }
    expect((await audit()).count).toBe(before);
  });

  it("no record anywhere holds a password, a hash, a token or a private key", async () => {
    await app.settle();
    const rows = JSON.stringify(await app.db.select().from(auditLogs));
    const hashes = (await app.db.select({ h: users.hashedPassword }).from(users)).map((r) => r.h).filter(Boolean);
    for (const secret of [
      OWNER.password,
      "MiaSecret!123456",
      "MiaNewSecret!7890",
      "AnotherSecret!2468",
      "NotThePassword!1",
      owner.token,
      ...hashes,
    ]) {
      expect(rows).not.toContain(secret);
    }
    expect(rows).not.toMatch(/\$argon2|PRIVATE KEY|session_token/);
  });
});

describe("GET /api/v2/audit", () => {
  let auditor: { token: string; id: string };
  let plain: { token: string };
  beforeAll(async () => {
    const a = await addUser(app, { username: "aud", roles: ["auditor"], login: true });
    auditor = { token: a.token, id: a.id };
    plain = await addUser(app, { username: "plain-member", login: true });
    await app.settle();
  });

  it("owners and auditors read it; members get 403, no session 401", async () => {
    expect((await call("GET", "/audit", { token: auditor.token })).status).toBe(200);
    const member = await call("GET", "/audit", { token: plain.token });
    expect(member.status).toBe(403);
    expect(await json(member)).toMatchObject({ message: "Forbidden." });
    expect((await call("GET", "/audit")).status).toBe(401);
  });

  it("newest first, with Coder's limit and offset and the total count", async () => {
    const all = await audit("?limit=1000");
    expect(all.count).toBe(all.audit_logs.length);
    const times = all.audit_logs.map((l) => l.time);
    expect([...times].sort().reverse()).toEqual(times);
    const page = await audit("?limit=2&offset=1");
    expect(page.count).toBe(all.count);
    expect(page.audit_logs.map((l) => l.id)).toEqual(all.audit_logs.slice(1, 3).map((l) => l.id));
    const past = await audit(`?offset=${all.count + 5}`);
    expect(past).toEqual({ audit_logs: [], count: all.count });
    expect((await audit("?limit=0")).audit_logs.length).toBe(Math.min(100, all.count));
  });

  it("filters by action, resource_type, username (and me), email and status", async () => {
    const all = (await audit("?limit=1000")).audit_logs;
    const check = async (q: string, predicate: (l: AuditLog) => boolean) => {
      const page = await audit(`?limit=1000&q=${encodeURIComponent(q)}`);
      expect(
        page.audit_logs.map((l) => l.id),
        q,
      ).toEqual(all.filter(predicate).map((l) => l.id));
      expect(page.count, q).toBe(page.audit_logs.length);
      return page;
    };
    expect((await check("action:login", (l) => l.action === "login")).count).toBeGreaterThan(2);
    await check("resource_type:api_key", (l) => l.resource_type === "api_key");
    await check("action:write resource_type:git_ssh_key", (l) => l.action === "write" && l.resource_type === "git_ssh_key");
    await check(`username:${OWNER.username}`, (l) => l.user?.id === owner.userId);
    await check("username:me", (l) => l.user?.id === owner.userId);
    await check(`email:${OWNER.email.toUpperCase()}`, (l) => l.user?.id === owner.userId);
    await check("status:401", (l) => l.status_code === 401);
    await check("status:4xx", (l) => l.status_code >= 400 && l.status_code < 500);
    await check('action:"login" status:2xx', (l) => l.action === "login" && l.status_code < 300);
  });

  it("answers a bad query with 400 in Coder's shape", async () => {
    const cases: [string, string][] = [
      ["?q=action:explode", "action"],
      ["?q=resource_type:spaceship", "resource_type"],
      ["?q=status:600", "status"],
      ["?q=colour:blue", "colour"],
      ["?q=justaword", "q"],
    ];
    for (const [query, field] of cases) {
      const res = await call("GET", `/audit${query}`, { token: owner.token });
      expect(res.status, query).toBe(400);
      const body = await json(res);
      expect(body.message).toBe("Invalid audit search query.");
      expect(body.validations?.[0]?.field).toBe(field);
    }
    for (const query of ["?limit=-1", "?offset=abc", "?limit=99999999999", "?after_id=nope"]) {
      const res = await call("GET", `/audit${query}`, { token: owner.token });
      expect(res.status, query).toBe(400);
      expect((await json(res)).message).toBe("Query parameters have invalid values.");
    }
  });
});

describe("sign-in through GitHub", () => {
  it("records the completed sign-in as login on the new key, not the redirect to the provider, and no provider secret", async () => {
    const github = await startFakeGithub();
    const gh = await startTestApp({ env: github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) });
    try {
      github.signIn(account({ login: "audited-cat" }));
      const browser = new Browser(gh);
      const done = await browser.signIn(GITHUB_CALLBACK);
      expect(done.status).toBe(307);
      const session = browser.cookies.get("coder_session_token")!;
      const jti = JSON.parse(Buffer.from(session.split(".")[1]!, "base64url").toString()).jti as string;
      await gh.settle();
      const rows = await gh.db.select().from(auditLogs);
      // The first hop only redirected to GitHub: nothing to record.
      expect(rows).toHaveLength(1);
      const [me] = await gh.db.select({ id: users.id }).from(users).where(eq(users.username, "audited-cat"));
      expect(rows[0]).toMatchObject({ action: "login", resourceType: "api_key", resourceId: jti, userId: me!.id, statusCode: 307 });
      const text = JSON.stringify(rows);
      for (const secret of [session, GITHUB_CLIENT_SECRET, ...github.issuedTokens]) expect(text).not.toContain(secret);
    } finally {
      await gh.close();
      await github.close();
    }
  });
});
