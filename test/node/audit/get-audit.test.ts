// GET /api/v2/audit: owners and auditors read the log, newest first, with Coder's q, limit and offset.
import { beforeAll, describe, expect, it } from "vitest";
import { addUser, json, OWNER, useTestApp } from "../../support/harness.ts";
import { type AuditLog, auditClient } from "./audit-client.ts";

const { app, owner } = useTestApp({ clientIp: "192.0.2.10", owner: true });
const { call, audit } = auditClient(app, owner);

describe("GET /api/v2/audit", () => {
  let auditor: { token: string; id: string };
  let plain: { token: string };
  beforeAll(async () => {
    const a = await addUser(app, { username: "aud", roles: ["auditor"], login: true });
    auditor = { token: a.token, id: a.id };
    plain = await addUser(app, { username: "plain-member", login: true });
    // A log with something of each kind the filters below pick out: a refused sign-in (401), a token
    // (api_key) and a regenerated Git SSH key (write on git_ssh_key).
    expect((await call("POST", "/users/login", { body: { email: OWNER.email, password: "NotThePassword!1" } })).status).toBe(401);
    const token = await call("POST", "/users/me/keys/tokens", { token: owner.token, body: { token_name: "audit-filter" } });
    expect(token.status).toBe(201);
    expect((await call("PUT", `/users/${owner.userId}/gitsshkey`, { token: owner.token })).status).toBe(200);
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
