// Applying drizzle/ to a Postgres over TCP (node-postgres), safe to run from several places at once: two
// deploys racing, a deploy and an import. Drizzle's migrator reads the newest applied migration and then
// applies the rest in one transaction, so two runs that overlap would both see "nothing applied" and the
// second would fail half-way (or race on CREATE SCHEMA). A session-level advisory lock, taken on the same
// connection the migrator uses, makes them take turns; the second then finds everything applied.
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { MIGRATIONS_FOLDER } from "./index.ts";
import { compareWithJournal, type SchemaStatus } from "./schema-version.ts";

/** An arbitrary constant shared by every Gatehouse migrator: the ASCII bytes of "gatehous". */
export const MIGRATION_LOCK_KEY = "7449363237540164979";

export type MigrateLog = (msg: string, fields?: Record<string, unknown>) => void;

export interface MigrateResult {
  before: SchemaStatus;
  after: SchemaStatus;
  /** Milliseconds spent waiting for another migrator's lock. */
  waitedMs: number;
}

async function newestApplied(client: pg.Client): Promise<number | undefined> {
  const exists = await client.query<{ present: boolean }>("select to_regclass('drizzle.__drizzle_migrations') is not null as present");
  if (!exists.rows[0]?.present) return undefined;
  const { rows } = await client.query<{ newest: string | null }>("select max(created_at) as newest from drizzle.__drizzle_migrations");
  return rows[0]?.newest == null ? undefined : Number(rows[0].newest);
}

/** Where the database stands, without changing anything (deploy --dry-run). */
export async function inspectMigrations(url: string): Promise<SchemaStatus> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return compareWithJournal(await newestApplied(client));
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations under the advisory lock. Use a direct (unpooled) connection string: behind a
 * transaction-mode pooler (Neon's "-pooler" host) a session lock is not held by one server session.
 */
export async function migrateWithLock(url: string, log: MigrateLog = () => {}): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = Date.now();
    const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1) as locked", [MIGRATION_LOCK_KEY]);
    if (!rows[0]?.locked) {
      log("another migrator holds the lock; waiting for it to finish");
      await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    }
    const waitedMs = Date.now() - started;
    try {
      // Read after taking the lock: whatever a concurrent run applied is already committed.
      const before = compareWithJournal(await newestApplied(client));
      if (before.state === "behind") {
        await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
      }
      const after = compareWithJournal(await newestApplied(client));
      return { before, after, waitedMs };
    } finally {
      // Closing the connection would release it too; unlocking explicitly keeps the lock's life obvious.
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
