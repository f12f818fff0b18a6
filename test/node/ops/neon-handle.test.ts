// The Workers database handle (src/db/neon.ts) on its two transports, through the loopback stand-ins the
// tests and `npm run dev` use: single statements are HTTP requests (counted by the QueryCounter as before),
// a unique violation still reaches src/db/errors.ts with its index name, a WebSocket is opened only by a
// transaction (one per handle, ended by close), and an HTTP statement to an endpoint that never answers fails
// within connect_timeout + query_timeout instead of hanging. A Worker keeps one HTTP handle per isolate and
// gives each request a handle on it: prepared statements shared, transactions and their sockets not.
import { createServer, type Server, type Socket } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparedPerHandle, QueryCounter, schema, type Db, type Tx } from "../../../src/db/index.ts";
import { fromPostgres, uniqueViolation } from "../../../src/db/errors.ts";
import { httpTimeoutMs, openNeon, openNeonHttp, requestHandle } from "../../../src/db/neon.ts";
import { openPostgres } from "../../../src/db/postgres.ts";
import { startNeonHttp, type NeonHttp } from "../../../scripts/neon-http.ts";
import { startNeonProxy, type NeonProxy } from "../../../scripts/neon-proxy.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";

const { users } = schema;
let http: NeonHttp;
let ws: NeonProxy;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("neon_handle");
  await (await openPostgres(database.url)).close(); // migrated
  http = await startNeonHttp();
  ws = await startNeonProxy();
});

afterAll(async () => {
  await http?.close();
  await ws?.close();
  await database?.drop();
});

const open = (logger?: QueryCounter) => openNeon(database.url, { httpProxy: http.address, wsProxy: ws.address, logger });
const newUser = (username: string) => ({ id: crypto.randomUUID(), email: `${username}@example.com`, username });

describe("statements over HTTP", () => {
  it("sends each statement as one HTTP request, counted by the QueryCounter, and opens no WebSocket", async () => {
    const counter = new QueryCounter();
    const neon = open(counter);
    const before = { http: http.stats(), ws: ws.stats() };
    const user = newUser("over-http");
    await neon.db.insert(users).values({ ...user, rbacRoles: ["owner", "auditor"] });
    const [row] = await neon.db.select().from(users).where(eq(users.id, user.id));
    await neon.close();
    expect(row).toMatchObject({ username: "over-http", rbacRoles: ["owner", "auditor"], deleted: false, status: "dormant" });
    expect(row!.createdAt).toBeInstanceOf(Date);
    expect(counter.count).toBe(2);
    expect(http.stats().requests - before.http.requests).toBe(2);
    expect(ws.stats().connections - before.ws.connections).toBe(0);
  });

  it("turns a unique violation into the index's name for errors.ts, as node-postgres' errors are", async () => {
    const neon = open();
    await neon.db.insert(users).values(newUser("taken-name"));
    const err = await neon.db
      .insert(users)
      .values(newUser("TAKEN-name"))
      .then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: unknown },
      );
    await neon.close();
    expect(uniqueViolation(err)).toBe("users_username_lower_idx");
    expect(fromPostgres(err?.cause)).toBe(true);
  });
});

describe("transactions on a WebSocket Pool", () => {
  it("opens the Pool on the first transaction only, keeps one connection for the handle, and rolls back", async () => {
    const neon = open();
    const before = ws.stats().connections;
    await neon.db.select({ n: sql<number>`1` }).from(users).limit(1);
    expect(ws.stats().connections - before).toBe(0);
    const user = newUser("in-tx");
    await neon.db.transaction(async (tx: Tx) => {
      await tx.insert(users).values(user);
      await tx.update(users).set({ name: "In Tx" }).where(eq(users.id, user.id));
    });
    const failed = newUser("rolled-back");
    await expect(
      neon.db.transaction(async (tx: Tx) => {
        await tx.insert(users).values(failed);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(ws.stats().connections - before).toBe(1);
    const names = await neon.db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
    expect(names).toEqual([{ name: "In Tx" }]);
    expect(await neon.db.select().from(users).where(eq(users.id, failed.id))).toEqual([]);
    await neon.close();
    // A transaction after close would open a Pool that nothing ends: refused.
    await expect(neon.db.transaction(async () => {})).rejects.toThrow(/closed/);
  });
});

describe("request handles on an isolate's HTTP handle", () => {
  const proxies = () => ({ httpProxy: http.address, wsProxy: ws.address });

  it("share the statements prepared on the HTTP handle; a transaction prepares its own", async () => {
    const shared = openNeonHttp(database.url, proxies());
    const [a, b] = [requestHandle(shared, database.url, proxies()), requestHandle(shared, database.url, proxies())];
    const built: Db[] = [];
    const prepared = preparedPerHandle((db: Db) => {
      built.push(db);
      return db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, sql.placeholder("id")))
        .prepare("");
    });
    const user = newUser("prepared-once");
    await a.db.insert(users).values(user);
    expect(await prepared(a.db).execute({ id: user.id })).toEqual([{ id: user.id }]);
    expect(await prepared(b.db).execute({ id: user.id })).toEqual([{ id: user.id }]);
    expect(prepared(shared)).toBe(prepared(a.db));
    expect(built).toHaveLength(1);
    await a.db.transaction(async (tx: Tx) => {
      expect(prepared(tx)).not.toBe(prepared(a.db));
      expect(await prepared(tx).execute({ id: user.id })).toEqual([{ id: user.id }]);
    });
    expect(built).toHaveLength(2);
    await Promise.all([a.close(), b.close()]);
  });

  it("each open their own Pool, and closing one request's handle leaves the others working", async () => {
    const shared = openNeonHttp(database.url, proxies());
    const [a, b] = [requestHandle(shared, database.url, proxies()), requestHandle(shared, database.url, proxies())];
    const before = ws.stats().connections;
    await a.db.transaction(async (tx: Tx) => void (await tx.insert(users).values(newUser("tx-of-a"))));
    await a.close();
    await expect(a.db.transaction(async () => {})).rejects.toThrow(/closed/);
    const user = newUser("tx-of-b");
    await b.db.transaction(async (tx: Tx) => void (await tx.insert(users).values(user)));
    expect(await b.db.select({ id: users.id }).from(users).where(eq(users.id, user.id))).toEqual([{ id: user.id }]);
    expect(await shared.select({ id: users.id }).from(users).where(eq(users.id, user.id))).toEqual([{ id: user.id }]);
    await b.close();
    expect(ws.stats().connections - before).toBe(2);
    // The isolate's handle itself never opens a socket: it has no transactions.
    await expect(shared.transaction(async () => {})).rejects.toThrow();
  });
});

describe("bounded HTTP statements", () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: a black-holed endpoint.
    silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("reads the bound from the URL: connect_timeout (s) plus query_timeout (ms), 10 s + 30 s by default", () => {
    expect(httpTimeoutMs("postgresql://u@h/db")).toBe(40_000);
    expect(httpTimeoutMs("postgresql://u@h/db?connect_timeout=1&query_timeout=500")).toBe(1_500);
  });

  it("fails a statement to an endpoint that never answers within the bound, without a SQLSTATE", async () => {
    const url = new URL(database.url);
    url.searchParams.set("connect_timeout", "1");
    url.searchParams.set("query_timeout", "500");
    const port = (silent.address() as { port: number }).port;
    const neon = openNeon(url.toString(), { httpProxy: `127.0.0.1:${port}` });
    const started = performance.now();
    const err = await neon.db
      .select()
      .from(users)
      .then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: unknown },
      );
    const elapsed = performance.now() - started;
    await neon.close();
    expect(err).toBeInstanceOf(Error);
    expect(fromPostgres(err?.cause)).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(3_000);
  });
});
