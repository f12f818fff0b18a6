// The same first-run flow against Postgres over TCP (node-postgres), the way a Node deployment with
// DATABASE_URL runs: TEST_DATABASE_URL's server when set (CI), otherwise PGlite behind its socket server.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, organizationMembers, users } from "../../src/db/schema.ts";
import {
  defaultOrgId,
  get,
  holdDeferred,
  json,
  jwtPayload,
  keyRowOf,
  login,
  OWNER,
  post,
  SIGNED_OUT,
  useTestApp,
} from "../support/harness.ts";

describe("first user → login → me → logout over TCP", () => {
  const { app } = useTestApp({ database: "node" });
  let userId = "";
  let orgId = "";
  let token = "";

  it("has migrated the schema and seeded the default organization", async () => {
    orgId = await defaultOrgId(app);
    expect(orgId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reports no first user yet", async () => {
    const res = await get(app, "/users/first");
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: "The initial user has not been created!" });
  });

  it("creates the owner and its membership in one go", async () => {
    const res = await post(app, "/users/first", OWNER);
    expect(res.status).toBe(201);
    const body = await json<{ user_id: string; organization_id: string }>(res);
    expect(body.organization_id).toBe(orgId);
    userId = body.user_id;
    const [row] = await app.db.select().from(users).where(eq(users.id, userId));
    expect(row).toMatchObject({ username: OWNER.username, email: OWNER.email, status: "active", rbacRoles: ["owner"] });
    expect(row!.hashedPassword).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, userId))).toHaveLength(1);
  });

  it("refuses a second first user", async () => {
    const res = await post(app, "/users/first", { ...OWNER, username: "second", email: "second@example.com" });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({ message: "The initial user has already been created." });
  });

  it("refuses a wrong password", async () => {
    const res = await post(app, "/users/login", { email: OWNER.email, password: "SomeWrongPassword!" });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
  });

  it("logs in with an upper-cased email", async () => {
    token = await login(app, OWNER.email.toUpperCase(), OWNER.password);
    const key = await keyRowOf(app, token);
    expect(key).toMatchObject({ userId, lifetimeSeconds: 86400, loginType: "password", scopes: ["coder:all"] });
    expect(key!.ipAddress).toBe("127.0.0.1");
  });

  it("serves /users/me in one query and stamps last_used after the response", async () => {
    await app.settle();
    const deferred = holdDeferred(app);
    app.queries.count = 0;
    const res = await get(app, "/users/me", token);
    expect(app.queries.count).toBe(1);
    expect(res.status).toBe(200);
    expect(await json<Record<string, unknown>>(res)).toMatchObject({
      id: userId,
      username: OWNER.username,
      email: OWNER.email,
      name: OWNER.name,
      organization_ids: [orgId],
      roles: [{ name: "owner", display_name: "Owner" }],
    });
    await deferred.release();
    expect(app.queries.count).toBe(2);
    const key = await keyRowOf(app, token);
    expect(key!.lastUsed.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [row] = await app.db.select({ lastSeenAt: users.lastSeenAt }).from(users).where(eq(users.id, userId));
    expect(row!.lastSeenAt!.getTime()).toBe(key!.lastUsed.getTime());
  });

  it("refuses a forged token without a query", async () => {
    const [h, , s] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ ...jwtPayload(token), sub: "00000000-0000-4000-8000-000000000000" })).toString(
      "base64url",
    );
    app.queries.count = 0;
    const res = await get(app, "/users/me", `${h}.${payload}.${s}`);
    expect(res.status).toBe(401);
    expect(app.queries.count).toBe(0);
  });

  it("logs out: the key row is gone and the token is refused", async () => {
    const jti = jwtPayload(token).jti as string;
    const res = await post(app, "/users/logout", {}, token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ message: "Logged out!" });
    expect(res.headers.get("set-cookie")).toMatch(/coder_session_token=;.*Max-Age=0/);
    expect(await app.db.select().from(apiKeys).where(eq(apiKeys.id, jti))).toEqual([]);
    const after = await get(app, "/users/me", token);
    expect(after.status).toBe(401);
    expect(await json(after)).toEqual({ message: SIGNED_OUT, detail: "API key is invalid." });
  });
});

// Real Postgres only: PGlite's socket server runs every connection on one backend and interleaves their
// extended-protocol messages ("unnamed prepared statement does not exist"), so it cannot host a race.
describe.runIf(process.env.TEST_DATABASE_URL)("20 parallel POST /users/first over a connection pool", () => {
  const { app } = useTestApp({ database: "node-race" });

  it("creates exactly one owner and one membership", async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => ({ ...OWNER, email: `pg${i}@example.com`, username: `pg-${i}` }));
    const statuses = await Promise.all(
      bodies.map(async (body) => {
        const res = await post(app, "/users/first", body);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await app.db.select().from(users)).toHaveLength(1);
    expect(await app.db.select().from(organizationMembers)).toHaveLength(1);
  });
});
