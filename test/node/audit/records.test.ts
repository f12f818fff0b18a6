// The audit log's records: every state-changing request is recorded with actor, action, target, IP, user
// agent, request id, status and a diff that never holds a secret. The steps run in order on one member.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { AUDIT_RULES, NOT_AUDITED } from "../../../src/audit/actions.ts";
import { auditLogs, gitSshKeys, users } from "../../../src/db/schema.ts";
import { API, json, OWNER, useTestApp } from "../../support/harness.ts";
import { auditClient, UA } from "./audit-client.ts";

const { app, owner } = useTestApp({ clientIp: "192.0.2.10", owner: true });
const { call, audit, recordOf } = auditClient(app, owner);

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

  it("a rule is public exactly when its route needs no session (the transaction is skipped for a tokenless call)", async () => {
    const doc = await json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(await app.request(`${API}/openapi.json`));
    for (const [key, rule] of Object.entries(AUDIT_RULES)) {
      const [method, path] = key.split(" ") as [string, string];
      const operation = doc.paths[path.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()];
      expect(operation, key).toBeDefined();
      expect(operation!.security === undefined, `${key} public`).toBe(rule.public === true);
    }
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

  it("a sign-in naming a huge address records it cut to 256 characters", async () => {
    const huge = `${"a".repeat(200_000)}@example.com`;
    const res = await call("POST", "/users/login", { body: { email: huge, password: "NotThePassword!1" } });
    expect(res.status).toBe(401);
    const log = await recordOf(res);
    expect(log.resource_target).toBe(huge.slice(0, 256));
    expect(JSON.stringify(log).length).toBeLessThan(2_000);
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
