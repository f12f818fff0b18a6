// Faults: with the database refusing connections, resetting them, black-holing them, or
// dropping one in the middle of a transaction, every route answers within a bounded time: a Coder-shaped
// 5xx without stack, SQL or secret, or its normal answer when it needs no database. A multi-row write that
// dies half-way leaves no partial rows, and the app recovers once the database is back.
// The app reaches its database through a loopback proxy that fails on command (fault-proxy.ts).
// Needs a real Postgres server (TEST_DATABASE_URL, as CI sets it): PGlite's socket server shares one
// backend session among all its connections, so transactions, prepared statements and reconnects do not
// behave as a server's would, and a fault there proves nothing about production.
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { apiKeys, users } from "../../../src/db/schema.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { addUser, API, json, OWNER, startTestApp, type TestApp, withOwner } from "../../support/harness.ts";
import { startFaultProxy, type FaultProxy } from "../../support/fault-proxy.ts";

describe.runIf(process.env.TEST_DATABASE_URL)("faults on a real Postgres server", () => {
  /** connect_timeout 1 s and query_timeout 1.5 s: the bound a request may wait on a silent database. */
  const BOUND_MS = 6_000;
  const INTERNAL = { message: "An internal server error occurred." };

  let database: TestDatabase;
  let proxy: FaultProxy;
  let app: TestApp;
  let owner: { userId: string; organizationId: string; token: string };
  /** A second, direct connection: what the test reads the truth through, and what kills backends. */
  let direct: pg.Client;
  const deferredFailures: unknown[] = [];

  /** Every 5xx logs its cause (src/app.ts onError); kept here, off the test output, and checked below. */
  const errorLines: string[] = [];

  beforeAll(async () => {
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errorLines.push(args.map(String).join(" ")));
    database = await createTestDatabase("faults");
    proxy = await startFaultProxy(database.url);
    const url = new URL(proxy.url);
    url.searchParams.set("connect_timeout", "1");
    url.searchParams.set("query_timeout", "1500");
    app = await startTestApp({ databaseUrl: url.toString() });
    // Work deferred past the response (audit rows, last-used stamps) fails too while the database is down;
    // production logs it (node-deps.ts), the test harness would leave it unhandled.
    const defer = app.deps.defer;
    app.deps.defer = (task) => defer((db) => Promise.resolve(task(db)).catch((err: unknown) => void deferredFailures.push(err)));
    owner = await withOwner(app);
    direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await direct?.end();
    await app?.close();
    await proxy?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await proxy.setMode("pass");
    await app.settle();
  });

  interface Operation {
    method: string;
    path: string;
  }

  async function operations(): Promise<Operation[]> {
    const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await app.request(`${API}/openapi.json`));
    const out: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        out.push({ method: method.toUpperCase(), path: path.replace("{user}", OWNER.username).replace(/\{\w+\}/g, "x") });
      }
    }
    return out;
  }

  /** Sends every operation at once with the owner's session and a plausible body; answers each outcome. */
  async function hitEverything() {
    const ops = await operations();
    return Promise.all(
      ops.map(async (op) => {
        const started = performance.now();
        const hasBody = op.method !== "GET" && op.method !== "DELETE";
        const res = await app.request(op.path, {
          method: op.method,
          token: owner.token,
          ...(hasBody ? { json: { email: OWNER.email, password: OWNER.password, username: "x", name: "x" } } : {}),
        });
        const text = await res.text();
        return { op: `${op.method} ${op.path}`, status: res.status, text, ms: performance.now() - started };
      }),
    );
  }

  function expectBoundedAndClean(outcomes: Awaited<ReturnType<typeof hitEverything>>) {
    const fivexx = outcomes.filter((o) => o.status >= 500);
    // Most routes need the database; each of those failed. Routes that do not (buildinfo, jwks, openapi,
    // scopes, healthz) still answered normally.
    expect(fivexx.length).toBeGreaterThan(outcomes.length / 2);
    for (const o of outcomes) {
      expect(o.ms, o.op).toBeLessThan(BOUND_MS);
      expect(o.status, `${o.op}: ${o.text}`).toBeLessThan(600);
      if (o.status >= 500) {
        const body = JSON.parse(o.text) as { message: string };
        // /readyz names the database in its own words; everything else is Coder's generic 500.
        if (!o.op.endsWith("/readyz")) expect(body, o.op).toEqual(INTERNAL);
        expect(o.text).not.toMatch(/stack|at \w+ \(|select |insert |update |postgres:\/\/|postgresql:\/\/|ECONN|argon2/i);
        expect(o.text).not.toContain(OWNER.password);
      }
    }
  }

  async function expectRecovered() {
    // The pool replaces its broken connections on demand: a few requests may still meet one.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) status = (await app.request(`${API}/users/me`, { token: owner.token })).status;
    expect(status).toBe(200);
    const login = await app.request(`${API}/users/login`, { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
    expect(login.status).toBe(201);
  }

  describe("the database unreachable", () => {
    it("refusing connections: every route answers at once, 5xx in Coder's shape where it needs the database", async () => {
      await proxy.setMode("down");
      expectBoundedAndClean(await hitEverything());
      await proxy.setMode("pass");
      await expectRecovered();
    });

    it("resetting every connection (the server restarting under the pool)", async () => {
      await proxy.setMode("reset");
      expectBoundedAndClean(await hitEverything());
      await proxy.setMode("pass");
      await expectRecovered();
    });

    it("black-holed (a partition: nothing comes back): every route still answers within the bound", async () => {
      await proxy.setMode("blackhole");
      expectBoundedAndClean(await hitEverything());
      await proxy.setMode("pass");
      await expectRecovered();
    });
  });

  /** Fires `send`, cuts the connection when the client sends `marker`, and answers the response. */
  async function cutDuring(marker: string, send: () => Promise<Response>): Promise<Response> {
    const cut = proxy.cutOn(marker);
    const started = performance.now();
    const res = await send();
    await cut;
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    return res;
  }

  describe("a connection dropped in the middle of a multi-row write leaves nothing half done", () => {
    it("POST /users cut before the SSH key: no user, no membership", async () => {
      const res = await cutDuring('insert into "gitsshkeys"', () =>
        app.request(`${API}/users`, {
          method: "POST",
          token: owner.token,
          json: { email: "half@example.com", username: "half", password: "SomeSecurePassword!", organization_ids: [owner.organizationId] },
        }),
      );
      expect(res.status).toBe(500);
      expect(await json(res)).toEqual(INTERNAL);
      const rows = await direct.query("select id from users where username = 'half'");
      expect(rows.rows).toEqual([]);
      const orphans = await direct.query(
        "select count(*)::int as n from organization_members m where not exists (select 1 from users u where u.id = m.user_id)",
      );
      expect(orphans.rows[0].n).toBe(0);
      await expectRecovered();
      // The same request, undisturbed, works: nothing was left holding the name.
      const again = await app.request(`${API}/users`, {
        method: "POST",
        token: owner.token,
        json: { email: "half@example.com", username: "half", password: "SomeSecurePassword!", organization_ids: [owner.organizationId] },
      });
      expect(again.status).toBe(201);
    });

    it("a password change cut before its key deletion: old password and sessions intact", async () => {
      const user = await addUser(app, { username: "cutpw", password: "CutOldPassword!123", login: true });
      const res = await cutDuring('delete from "api_keys"', () =>
        app.request(`${API}/users/me/password`, {
          method: "PUT",
          token: user.token,
          json: { old_password: "CutOldPassword!123", password: "CutNewPassword!456" },
        }),
      );
      expect(res.status).toBe(500);
      // The UPDATE of the hash was rolled back with the rest: the old password still signs in.
      const [row] = (await direct.query("select hashed_password from users where id = $1", [user.id])).rows;
      expect(await app.deps.hasher.verify(row.hashed_password, "CutOldPassword!123")).toBe(true);
      await expectRecovered();
      expect((await app.request(`${API}/users/me`, { token: user.token })).status).toBe(200);
    });

    it("a login cut before its key insert: no key row, and the next login works", async () => {
      const user = await addUser(app, { username: "cutlogin", password: "CutLoginPassword!1" });
      const res = await cutDuring('insert into "api_keys"', () =>
        app.request(`${API}/users/login`, { method: "POST", json: { email: user.email, password: user.password } }),
      );
      expect(res.status).toBe(500);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await direct.query("select count(*)::int as n from api_keys where user_id = $1", [user.id])).rows[0].n).toBe(0);
      await expectRecovered();
    });

    it("pg_terminate_backend on the backend of a POST /users blocked mid-transaction: no partial rows", async () => {
      // Hold a lock the request's second statement needs, so its transaction stops after the user insert.
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query("begin");
        // SHARE mode blocks inserts but not reads, so the request gets as far as its membership insert.
        await locker.query("lock table organization_members in share mode");
        const pending = app.request(`${API}/users`, {
          method: "POST",
          token: owner.token,
          json: {
            email: "killed@example.com",
            username: "killed",
            password: "SomeSecurePassword!",
            organization_ids: [owner.organizationId],
          },
        });
        let pid: number | undefined;
        for (let i = 0; i < 100 && pid === undefined; i++) {
          const { rows } = await direct.query(
            `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into "organization_members"%'`,
          );
          pid = rows[0]?.pid;
          if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
        }
        expect(pid, "the request's backend was found waiting").toBeDefined();
        // The user row exists only inside the doomed transaction.
        expect((await direct.query("select count(*)::int as n from users where username = 'killed'")).rows[0].n).toBe(0);
        await direct.query("select pg_terminate_backend($1)", [pid]);
        const res = await pending;
        expect(res.status).toBe(500);
        expect(await json(res)).toEqual(INTERNAL);
      } finally {
        await locker.query("rollback");
        await locker.end();
      }
      expect((await direct.query("select count(*)::int as n from users where username = 'killed'")).rows[0].n).toBe(0);
      expect(
        (await direct.query("select count(*)::int as n from gitsshkeys k join users u on u.id = k.user_id where u.username = 'killed'"))
          .rows[0].n,
      ).toBe(0);
      await expectRecovered();
    });

    it("an audit insert cut off rolls its change back: a 500, and no token without its record", async () => {
      const res = await cutDuring('insert into "audit_logs"', async () => {
        const r = await app.request(`${API}/users/me/keys/tokens`, {
          method: "POST",
          token: owner.token,
          json: { token_name: "unrecorded" },
        });
        await app.settle();
        return r;
      });
      expect(res.status).toBe(500);
      expect(await json(res)).toEqual(INTERNAL);
      await expectRecovered();
      const keys = await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, "unrecorded"));
      expect(keys).toEqual([]);
    });
  });

  describe("what the failures left in the log", () => {
    it("each 5xx was logged with its request id and cause, without the password or a token", () => {
      const unhandled = errorLines.filter((l) => l.includes('"msg":"unhandled error"'));
      expect(unhandled.length).toBeGreaterThan(20);
      for (const line of unhandled)
        expect(JSON.parse(line)).toMatchObject({ request_id: expect.any(String), error: { message: expect.any(String) } });
      const all = errorLines.join("\n");
      expect(all).not.toContain(OWNER.password);
      expect(all).not.toContain(owner.token);
      expect(all).not.toMatch(/\nparams: /);
    });
  });

  describe("sanity of the setup", () => {
    it("the proxy forwards faithfully in pass mode: rows written through it are read directly", async () => {
      await addUser(app, { username: "through-proxy" });
      const rows = await app.db.select({ id: users.id }).from(users).where(eq(users.username, "through-proxy"));
      expect(rows).toHaveLength(1);
      expect((await direct.query("select count(*)::int as n from users where username = 'through-proxy'")).rows[0].n).toBe(1);
    });
  });
});
