// Guards for the changes `npm run bench` led to: each one fixed a measured cost, and these tests
// keep the cause from coming back without anyone running the bench.
import { eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { loadActor } from "../../src/auth/actor.ts";
import { clientIp } from "../../src/auth/session.ts";
import type { AppEnv } from "../../src/deps.ts";
import { matchedRoute } from "../../src/http/route.ts";
import { BENCH_METRICS_PATH, withBenchMetrics, type BenchMetrics } from "../../bench/metrics.ts";
import { QueryCounter, statementName, useNamedStatements } from "../../src/db/index.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { apiKeys } from "../../src/db/schema.ts";
import { createApp } from "../../src/app.ts";
import { apiError } from "../../src/http/errors.ts";
import { newKeyId } from "../../src/keys/issue.ts";
import { findUserByEmail } from "../../src/users/queries.ts";
import { createTestDatabase } from "../support/databases.ts";
import { addUser, auditRowsFor, OWNER, startTestApp, withOwner, useTestApp } from "../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

const rows = <T>(result: unknown) => (result as { rows: T[] }).rows;
const literal = (v: unknown) =>
  typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : Array.isArray(v) ? `'{${v.join(",")}}'` : String(v);

/** The plan of a statement as the server would run it, with sequential scans priced out of reach. */
async function planOf(statement: { query: string; params: unknown[] }): Promise<string> {
  const literal = (v: unknown) => (typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : String(v));
  const args = statement.params.map(literal).join(", ");
  return app.db.transaction(async (tx) => {
    // A tiny table is cheapest to scan whatever the indexes: forbid that, and see whether an index is usable.
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql.raw(`prepare bench_plan as ${statement.query}`));
    try {
      return rows<Record<string, string>>(await tx.execute(sql.raw(`explain execute bench_plan(${args})`)))
        .map((r) => r["QUERY PLAN"])
        .join("\n");
    } finally {
      await tx.execute(sql`deallocate bench_plan`);
    }
  });
}

describe("login lookup by email", () => {
  it("uses the partial unique index on lower(email), not a scan of every user", async () => {
    const found = await findUserByEmail(app.db, OWNER.email.toUpperCase());
    expect(found?.username).toBe(OWNER.username);
    const plan = await planOf(app.queries.last!);
    expect(plan).toContain("users_email_lower_idx");
    expect(plan).not.toContain("Seq Scan");
  });

  it("finds no account for an empty email", async () => {
    expect(await findUserByEmail(app.db, "")).toBeUndefined();
  });
});

describe("GET /users with a role filter", () => {
  it("finds the users through the roles GIN index and sorts them, whatever the statistics say", async () => {
    // Enough users that the plan matters, one of them an auditor; statistics gathered on every column but
    // the roles: the case where the planner walked the whole username index in order to fill a page of one.
    await app.db.execute(sql`
      insert into users (email, username, status, login_type)
      select 'perf-' || i || '@example.com', 'perf-' || lpad(i::text, 6, '0'), 'active', 'password'
      from generate_series(1, 50000) as i`);
    await addUser(app, { username: "perf-auditor", roles: ["auditor"] });
    await app.db.execute(sql`analyze users (id, email, username, status, deleted, is_system)`);
    const res = await app.request(`/api/v2/users?limit=25&q=${encodeURIComponent("role:auditor")}`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { users: { username: string }[] }).users.map((u) => u.username)).toEqual(["perf-auditor"]);
    const list = app.queries.last!;
    expect(list.query).toMatch(/^select [\s\S]* from "users"/);
    const plan = rows<Record<string, string>>(
      await app.db.execute(sql.raw(`explain ${list.query.replace(/\$(\d+)/g, (_, n: string) => literal(list.params[Number(n) - 1]))}`)),
    )
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    // The page itself (the plan's last users scan), not only the count, goes through the roles index.
    const pageScan = plan
      .split("\n")
      .filter((l) => /Scan.* on users\b(?! cursor)/.test(l))
      .at(-1);
    expect(pageScan).toMatch(/Bitmap Heap Scan on users/);
    expect(plan).toContain("users_rbac_roles_idx");
    expect(plan).not.toMatch(/Index Scan using users_username_lower_idx on users\b(?! cursor)/);
  });
});

describe("sign-in", () => {
  it("writes the session and its audit record in one statement, after the lookup, with no transaction", async () => {
    await app.settle();
    const before = app.queries.count;
    const res = await app.request("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
    expect(res.status).toBe(201);
    await app.settle();
    // The lookup, then the guarded key insert that also writes the record: no BEGIN, no COMMIT, no third insert.
    expect(app.queries.count - before).toBe(2);
    const [record] = await auditRowsFor(app, res);
    expect(record).toMatchObject({ action: "login", resourceType: "api_key", statusCode: 201, userId: owner.userId });
    const [key] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, record!.resourceId));
    expect(key).toMatchObject({ userId: owner.userId, loginType: "password" });
  });

  // Real Postgres only (CI): it needs two sessions at once.
  it.runIf(process.env.TEST_DATABASE_URL)("is not held up by another sign-in's lock on the same account", async () => {
    const database = await createTestDatabase("login_share_lock");
    const pg = await startTestApp({ databaseUrl: database.url });
    const other = await openPostgres(database.url);
    try {
      const { userId } = await withOwner(pg);
      const client = await other.pool.connect();
      try {
        // What a sign-in in flight holds on the user's row while it writes its key.
        await client.query("begin");
        await client.query("select id from users where id = $1 for share", [userId]);
        const login = pg.request("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
        const waited = new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), 5_000));
        const res = await Promise.race([login, waited]);
        await client.query("commit");
        expect(res === "still waiting" ? res : res.status).toBe(201);
      } finally {
        client.release();
      }
    } finally {
      await pg.close();
      await other.close();
      await database.drop();
    }
  });
});

describe("bench metrics (bench/server.ts only)", () => {
  it("answers the statement count on its own path and passes every other request through", async () => {
    const counter = new QueryCounter();
    counter.logQuery("select 1", []);
    let passed = 0;
    const handler = withBenchMetrics(async (_req: Request) => {
      passed++;
      return new Response("app");
    }, counter);
    const metrics = await handler(new Request(`http://127.0.0.1${BENCH_METRICS_PATH}`));
    const body = (await metrics.json()) as BenchMetrics;
    expect(body).toMatchObject({ queries: 1, last: { query: "select 1", params: [] } });
    // The event loop's thread is one of the process's threads: its CPU is a part of the process's.
    expect(body.mainThreadCpuMicros).toBeGreaterThan(0);
    expect(body.mainThreadCpuMicros).toBeLessThanOrEqual(body.cpuMicros);
    expect(await (await handler(new Request("http://127.0.0.1/api/v2/users/me"))).text()).toBe("app");
    expect(await (await handler(new Request(`http://127.0.0.1${BENCH_METRICS_PATH}`, { method: "POST" }))).text()).toBe("app");
    expect(passed).toBe(2);
  });
});

describe("the actor query, prepared", () => {
  it("is unnamed unless the handle is one whose connections each keep their own statements", async () => {
    const other = await startTestApp();
    try {
      expect(statementName(other.db, "gatehouse_load_actor")).toBe("");
      expect(statementName(useNamedStatements(other.db), "gatehouse_load_actor")).toBe("gatehouse_load_actor");
    } finally {
      await other.close();
    }
  });

  it("loads the actor, again and again, from one preparation", async () => {
    const [key] = await app.db.select({ id: apiKeys.id }).from(apiKeys).limit(1);
    for (let i = 0; i < 3; i++) expect((await loadActor(app.db, key!.id))?.userId).toBe(owner.userId);
    expect(await loadActor(app.db, newKeyId())).toBeUndefined();
  });

  it("reads only what a request uses: not the passcode, nor the key's hashed secret, creation bookkeeping or name", async () => {
    const [key] = await app.db.select({ id: apiKeys.id }).from(apiKeys).limit(1);
    expect((await loadActor(app.db, key!.id))?.user.username).toBe(OWNER.username);
    const { query } = app.queries.last!;
    for (const column of ["hashed_one_time_passcode", "one_time_passcode_expires_at", "hashed_secret", "ip_address", "token_name"])
      expect(query, column).not.toContain(`"${column}"`);
    // What a key is minted under (src/keys/issue-recorded.ts) and the session check reads stay.
    for (const column of ["hashed_password", "expires_at", "last_used", "lifetime_seconds", "scopes", "allow_list"])
      expect(query, column).toContain(`"${column}"`);
  });

  // Real Postgres only (CI): a named statement is parsed once on each pooled connection, which PGlite's
  // socket server (one backend for every connection) cannot host.
  it.runIf(process.env.TEST_DATABASE_URL)("runs as a named statement across every connection of a pool", async () => {
    const database = await createTestDatabase("named_statements");
    const queries = new QueryCounter();
    const handle = await openPostgres(database.url, queries);
    try {
      const db = useNamedStatements(handle.db);
      const [user] = rows<{ id: string }>(
        await db.execute(sql`insert into users (email, username, status) values ('n@example.com', 'named', 'active') returning id`),
      );
      const keyId = newKeyId();
      await db.insert(apiKeys).values({ id: keyId, userId: user!.id, loginType: "password", expiresAt: new Date(Date.now() + 3600_000) });
      queries.count = 0;
      // More concurrent loads than the pool has connections: several connections each prepare it once.
      const actors = await Promise.all(Array.from({ length: 40 }, () => loadActor(db, keyId)));
      expect(actors.every((a) => a?.userId === user!.id)).toBe(true);
      expect(queries.count).toBe(40);
      // ...on more than one connection, or the test proves nothing.
      expect(handle.pool.totalCount).toBeGreaterThan(1);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});

describe("refusals", () => {
  it("build their ApiError without capturing a stack, and leave the stack limit as it was", async () => {
    const before = Error.stackTraceLimit;
    const err = apiError(401, "You are signed out.");
    expect(Error.stackTraceLimit).toBe(before);
    expect(err).toBeInstanceOf(Error);
    expect(err.stack ?? "").not.toMatch(/\n\s+at /);
    // Other errors still carry theirs: 500s are logged with the cause.
    expect(new Error("boom").stack).toMatch(/\n\s+at /);

    // And a refused token still answers in Coder's shape through the error handler.
    const res = await app.request("/api/v2/users/me", { token: "not-a-token" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(/signed out/);
  });
});

describe("request bodies", () => {
  // @hono/node-server hands the app a lightweight Request; asking for its `body` stream builds a full
  // Request and routes every later read of the body through web streams (npm run bench: 90–190 µs of CPU
  // per POST). A body whose length is declared is limited by that length alone.
  const send = async (headers: Record<string, string>, text: string) => {
    let streamAsked = 0;
    const req = new Request("http://gatehouse.test/api/v2/users/validate-password", { method: "POST", body: text, headers });
    const stream = Object.getOwnPropertyDescriptor(Request.prototype, "body")!.get!;
    Object.defineProperty(req, "body", {
      get() {
        streamAsked++;
        return stream.call(req);
      },
    });
    const res = await createApp().fetch(req, { deps: app.deps, clientIp: "127.0.0.1" });
    return { res, streamAsked };
  };
  const text = JSON.stringify({ password: "a fine long passphrase 1" });
  const headers = (length: number) => ({
    "content-type": "application/json",
    "content-length": String(length),
    "Coder-Session-Token": owner.token,
  });

  it("reads a body with a Content-Length without asking for its stream", async () => {
    const { res, streamAsked } = await send(headers(text.length), text);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { valid: boolean }).valid).toBe(true);
    expect(streamAsked).toBe(0);
  });

  it("still refuses a declared length over the limit with 413, before reading the body", async () => {
    const { res, streamAsked } = await send(headers(2 * 1024 * 1024), text);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toBe("Request body too large.");
    expect(streamAsked).toBe(0);
  });
});

describe("per-request lookups", () => {
  it("name the matched route and the client's address once per request, and again for another", async () => {
    const app = new Hono<AppEnv>();
    const seen: unknown[] = [];
    app.get("/users/:user", (c) => {
      seen.push(matchedRoute(c), matchedRoute(c), clientIp(c.env), clientIp(c.env));
      return c.body(null, 204);
    });
    const env = (ip: string) => ({ clientIp: ip }) as AppEnv["Bindings"];
    await app.request("/users/me", {}, env("::ffff:10.0.0.1"));
    await app.request("/users/someone", {}, env("2001:DB8::1"));
    expect(seen[0]).toEqual({ method: "GET", path: "/users/:user", key: "GET /users/:user" });
    expect(seen[1]).toBe(seen[0]);
    expect(seen[4]).not.toBe(seen[0]);
    expect(seen.slice(2, 4)).toEqual(["10.0.0.1", "10.0.0.1"]);
    expect(seen.slice(6, 8)).toEqual(["2001:db8::1", "2001:db8::1"]);
  });

  it("answers a changed address, were an entry point to reuse its bindings", () => {
    const env = { clientIp: "10.0.0.1" } as AppEnv["Bindings"];
    expect(clientIp(env)).toBe("10.0.0.1");
    env.clientIp = "10.0.0.2";
    expect(clientIp(env)).toBe("10.0.0.2");
  });
});
