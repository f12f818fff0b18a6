// The Workers entry never serves a schema older than its code: src/worker.ts called as
// Workers call it, reaching its database through the Neon driver and the loopback WebSocket proxy, as in
// production. /healthz stays up without the database; /readyz and every other route answer 503 while the
// database is behind, and the deployment recovers by itself once the migrations land.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { compareWithJournal, EXPECTED_MIGRATION, MIGRATIONS } from "../../../src/db/schema-version.ts";
import { migrateWithLock } from "../../../src/db/migrator.ts";
import worker, { type WorkerEnv } from "../../../src/worker.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { startNeonHttp, type NeonHttp } from "../../../scripts/neon-http.ts";
import { startNeonProxy, type NeonProxy } from "../../../scripts/neon-proxy.ts";

let proxy: NeonProxy;
let http: NeonHttp;
let database: TestDatabase;
let env: WorkerEnv;

beforeAll(async () => {
  proxy = await startNeonProxy();
  http = await startNeonHttp();
  database = await createTestDatabase("ops_gate");
  env = {
    DATABASE_URL: database.url,
    NEON_WS_PROXY: proxy.address,
    NEON_HTTP_PROXY: http.address,
    SIGNING_KEYS: JSON.stringify([await TokenService.generateKey()]),
    CODER_ACCESS_URL: "http://gatehouse.test",
  };
});
afterAll(async () => {
  await proxy?.close();
  await http?.close();
  await database?.drop();
});

/** One request through the worker entry, with its waitUntil work awaited; console output captured. */
async function call(path: string, workerEnv: WorkerEnv = env): Promise<{ res: Response; logs: Record<string, unknown>[] }> {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException() {},
    props: {},
  } as unknown as ExecutionContext;
  const logs: Record<string, unknown>[] = [];
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => void logs.push(JSON.parse(String(line)) as Record<string, unknown>));
  }
  try {
    const res = await worker.fetch(new Request(`http://gatehouse.test${path}`), workerEnv, ctx);
    await Promise.allSettled(pending);
    return { res, logs };
  } finally {
    vi.restoreAllMocks();
  }
}

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Forgets the newest applied migration, as if this build's last migration had not been run yet; the
 * returned function records it again, as running it would.
 */
async function forgetNewest(): Promise<() => Promise<void>> {
  const { rows } = await withClient((c) =>
    c.query<{ hash: string; created_at: string }>(
      "delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations) returning hash, created_at",
    ),
  );
  const row = rows[0]!;
  return async () => {
    await withClient((c) =>
      c.query("insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)", [row.hash, row.created_at]),
    );
  };
}

let restoreNewest: (() => Promise<void>) | undefined;

const BEHIND = "The database schema is older than this version of Gatehouse.";

describe("compareWithJournal", () => {
  it("is current at the journal's newest entry or beyond, behind before it", () => {
    expect(compareWithJournal(EXPECTED_MIGRATION.when)).toMatchObject({ state: "current", applied: EXPECTED_MIGRATION.tag });
    // A newer deploy migrated further: older code keeps serving (migrations only add).
    expect(compareWithJournal(EXPECTED_MIGRATION.when + 1)).toMatchObject({ state: "current" });
    expect(compareWithJournal(undefined)).toMatchObject({
      state: "behind",
      applied: "none",
      pending: expect.arrayContaining([EXPECTED_MIGRATION.tag]),
    });
    expect(compareWithJournal(EXPECTED_MIGRATION.when - 1)).toMatchObject({ state: "behind", pending: [EXPECTED_MIGRATION.tag] });
  });
});

describe("the worker and an unmigrated or lagging database", () => {
  it("answers 503 in Coder's shape on an empty database, and says what to run", async () => {
    const { res, logs } = await call("/api/v2/users/first");
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("30");
    expect(await res.json()).toEqual({
      message: BEHIND,
      detail: `Newest migration applied: none; this deployment needs ${EXPECTED_MIGRATION.tag} (${MIGRATIONS.length} pending). Run "npm run db:migrate" against this database, then retry.`,
    });
    expect(logs).toEqual([expect.objectContaining({ level: "error", msg: "database schema is behind this deployment", applied: "none" })]);
  });

  it("keeps /healthz up, and /readyz reports the same 503", async () => {
    const health = await call("/healthz");
    expect(health.res.status).toBe(200);
    const ready = await call("/readyz");
    expect(ready.res.status).toBe(503);
    expect(await ready.res.json()).toMatchObject({ message: BEHIND });
  });

  it("answers 503 when one migration is missing, naming the newest one applied", async () => {
    await migrateWithLock(database.url);
    restoreNewest = await forgetNewest();
    const { res } = await call("/api/v2/users/first");
    expect(res.status).toBe(503);
    const previous = MIGRATIONS[MIGRATIONS.length - 2]!.tag;
    expect(await res.json()).toMatchObject({ detail: expect.stringContaining(`Newest migration applied: ${previous}; `) });
  });

  it("serves once the migrations land, without a restart", async () => {
    // The missing migration lands (its journal row is what the check reads).
    await restoreNewest!();
    const applied = await withClient((c) => c.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations"));
    expect(applied.rows[0]!.n).toBe(MIGRATIONS.length);
    const { res } = await call("/api/v2/users/first");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "The initial user has not been created!" });
    const ready = await call("/readyz");
    expect(ready.res.status).toBe(200);
    expect(await ready.res.json()).toEqual({ status: "ready", migration: EXPECTED_MIGRATION.tag });
  });

  it("checks once per isolate: a new isolate checks again", async () => {
    const restore = await forgetNewest();
    try {
      // This env object (isolate) already found the schema current and keeps serving.
      expect((await call("/api/v2/users/first")).res.status).toBe(404);
      // A fresh isolate (a new env object) checks, and refuses.
      expect((await call("/api/v2/users/first", { ...env })).res.status).toBe(503);
    } finally {
      await restore();
    }
    expect((await call("/api/v2/users/first", { ...env })).res.status).toBe(404);
  });

  it("answers 503 when the database cannot be reached", async () => {
    const { res, logs } = await call("/api/v2/users/first", { ...env, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/postgres" });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: "The database is unreachable." });
    expect(logs[0]).toMatchObject({ level: "error", msg: "schema check failed: database unreachable" });
  });

  it("refuses a local setup with the WebSocket proxy but no HTTP stand-in, and says what to set", async () => {
    const { NEON_HTTP_PROXY: _unset, ...withoutHttp } = env;
    const { res } = await call("/api/v2/users/first", withoutHttp);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      message: "Gatehouse is not configured correctly.",
      detail: expect.stringContaining("NEON_WS_PROXY is set without NEON_HTTP_PROXY"),
    });
  });
});
