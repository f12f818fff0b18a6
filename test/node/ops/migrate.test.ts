// `npm run db:migrate` is safe to run concurrently: an advisory lock makes concurrent
// migrators take turns, and the one that waited finds everything applied.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATION_LOCK_KEY, migrateWithLock } from "../../../src/db/migrator.ts";
import { openPostgres } from "../../../src/db/postgres.ts";
import { EXPECTED_MIGRATION, MIGRATIONS } from "../../../src/db/schema-version.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { runCommand as run } from "../../support/run-command.ts";

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const appliedMigrations = (url: string) =>
  query<{ hash: string; created_at: string }>(url, "select hash, created_at from drizzle.__drizzle_migrations order by id");

// Advisory locks need real server sessions: PGlite (the fallback without TEST_DATABASE_URL) has one session
// for every connection, so these run against Postgres only.
describe.skipIf(!process.env.TEST_DATABASE_URL)("db:migrate on Postgres (TEST_DATABASE_URL)", () => {
  const databases: TestDatabase[] = [];
  const fresh = async (label: string) => {
    const db = await createTestDatabase(label);
    databases.push(db);
    return db.url;
  };
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it("two `npm run db:migrate` in parallel both succeed and apply each migration once", async () => {
    const all = MIGRATIONS.length;
    const url = await fresh("ops_parallel");
    const [a, b] = await Promise.all([
      run("npm", ["run", "-s", "db:migrate"], { DATABASE_URL: url }),
      run("npm", ["run", "-s", "db:migrate"], { DATABASE_URL: url }),
    ]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const outcomes = [a.stdout, b.stdout].map((out) => JSON.parse(out.trim().split("\n").at(-1)!) as { msg: string; applied: string[] });
    // Exactly one of them applied every migration; the other found them applied.
    expect(outcomes.map((o) => o.applied.length).sort((x, y) => x - y)).toEqual([0, all]);
    expect(outcomes.map((o) => o.msg).sort()).toEqual(["database already up to date", "migrations applied"]);
    const rows = await appliedMigrations(url);
    expect(rows).toHaveLength(all);
    expect(new Set(rows.map((r) => r.created_at)).size).toBe(all);
  });

  it("Node servers starting at once on a fresh database migrate it once, taking turns", async () => {
    const url = await fresh("ops_servers");
    const handles = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url)));
    try {
      const rows = await appliedMigrations(url);
      expect(rows).toHaveLength(MIGRATIONS.length);
      expect(new Set(rows.map((r) => r.created_at)).size).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it("waits while another session holds the lock, then finds its own work to do", async () => {
    const url = await fresh("ops_lock");
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const said: string[] = [];
    let settled = false;
    const migrating = migrateWithLock(url, (msg) => said.push(msg)).finally(() => (settled = true));
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      expect(said).toEqual(["another migrator holds the lock; waiting for it to finish"]);
      // Nothing was touched while waiting, not even drizzle's own schema.
      expect(await query(url, "select 1 from pg_namespace where nspname = 'drizzle'")).toEqual([]);
    } finally {
      await holder.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      await holder.end();
    }
    const result = await migrating;
    expect(result.waitedMs).toBeGreaterThanOrEqual(400);
    expect(result.before).toMatchObject({ state: "behind", applied: "none" });
    expect(result.after).toMatchObject({ state: "current", applied: EXPECTED_MIGRATION.tag });
    // The lock is released: a later run takes it at once and has nothing to do.
    const again = await migrateWithLock(url);
    expect(again.before.state).toBe("current");
    expect(await appliedMigrations(url)).toHaveLength(MIGRATIONS.length);
  });
});

describe("db:migrate's failures", () => {
  it("refuses to run without DATABASE_URL", async () => {
    const result = await run("npm", ["run", "-s", "db:migrate"], { DATABASE_URL: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL is required");
  });

  it("reports an unreachable database without printing its password", async () => {
    const result = await run("npm", ["run", "-s", "db:migrate"], {
      DATABASE_URL: "postgresql://postgres:hunter2-secret@127.0.0.1:1/postgres",
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr.trim().split("\n").at(-1)!)).toMatchObject({
      level: "error",
      msg: "migration failed",
      host: "127.0.0.1:1",
    });
    expect(result.stdout + result.stderr).not.toContain("hunter2-secret");
  });
});
