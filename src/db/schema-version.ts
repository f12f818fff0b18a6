// Is the database's schema at least as new as this build's code? The migrations this build was made with
// are known from drizzle's journal, bundled statically (a JSON import; no file system on Workers). Drizzle's
// migrators record each applied migration in drizzle.__drizzle_migrations with `created_at` = the journal
// entry's `when`, and decide what to apply by comparing exactly that: so does this check.
import { sql } from "drizzle-orm";
import journal from "../../drizzle/meta/_journal.json" with { type: "json" };
import { missingSchema } from "./errors.ts";
import type { Db } from "./index.ts";

interface JournalEntry {
  tag: string;
  when: number;
}

const entries: JournalEntry[] = journal.entries;
/** Every migration this build was made with, oldest first. */
export const MIGRATIONS: readonly JournalEntry[] = entries;
/** The newest migration this build expects. */
export const EXPECTED_MIGRATION: JournalEntry = entries[entries.length - 1]!;

export type SchemaStatus =
  /** Every migration this build knows is applied (and possibly newer ones, from a newer deploy). */
  | { state: "current"; applied: string; expected: string }
  /** Migrations are missing; `applied` is the newest one present, "none" on an empty database. */
  | { state: "behind"; applied: string; expected: string; pending: string[] };

/** Compares the newest applied migration with the newest in the journal. One query; throws if the database cannot be reached. */
export async function schemaStatus(db: Db): Promise<SchemaStatus> {
  let newest: number | undefined;
  try {
    // Every driver (node-postgres, PGlite, Neon) answers a raw statement with `{ rows }`.
    const result = (await db.execute(sql`select max(created_at) as newest from drizzle.__drizzle_migrations`)) as unknown as {
      rows: { newest: string | number | null }[];
    };
    const value = result.rows[0]?.newest;
    newest = value === null || value === undefined ? undefined : Number(value);
  } catch (err) {
    if (!missingSchema(err)) throw err;
  }
  return compareWithJournal(newest);
}

/** `newest`: the largest `created_at` recorded by the migrator, undefined when nothing was applied. */
export function compareWithJournal(newest: number | undefined): SchemaStatus {
  const expected = EXPECTED_MIGRATION.tag;
  const applied = newest === undefined ? "none" : (entries.findLast((e) => e.when <= newest)?.tag ?? "none");
  if (newest !== undefined && newest >= EXPECTED_MIGRATION.when) return { state: "current", applied, expected };
  const pending = entries.filter((e) => newest === undefined || e.when > newest).map((e) => e.tag);
  return { state: "behind", applied, expected, pending };
}

/** Coder's error body for a database that is behind, shared by the worker's gate and /readyz. */
export function behindBody(status: Extract<SchemaStatus, { state: "behind" }>) {
  return {
    message: "The database schema is older than this version of Gatehouse.",
    detail:
      `Newest migration applied: ${status.applied}; this deployment needs ${status.expected} ` +
      `(${status.pending.length} pending). Run "npm run db:migrate" against this database, then retry.`,
  };
}
