// Per-user key/value settings in `user_configs`, shared by the appearance and preference endpoints.
// Keys are Coder's, so a Coder database's rows mean the same here.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/index.ts";
import { userConfigs } from "../../db/schema.ts";

/** The stored values of `keys` for one user; a missing key is absent from the map. */
export async function readConfigs(db: Db | Tx, userId: string, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await db
    .select({ key: userConfigs.key, value: userConfigs.value })
    .from(userConfigs)
    .where(and(eq(userConfigs.userId, userId), inArray(userConfigs.key, [...keys])));
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** Inserts or overwrites several keys in one statement. */
export async function upsertConfigs(db: Db | Tx, userId: string, values: ReadonlyMap<string, string>): Promise<void> {
  if (values.size === 0) return;
  await db
    .insert(userConfigs)
    .values([...values].map(([key, value]) => ({ userId, key, value })))
    .onConflictDoUpdate({ target: [userConfigs.userId, userConfigs.key], set: { value: sql`excluded.value` } });
}

/** Writes `values`, then reads `keys` back, in one transaction: the answer is what is stored. */
export function writeAndRead(db: Db, userId: string, values: ReadonlyMap<string, string>, keys: readonly string[]) {
  return db.transaction(async (tx: Tx) => {
    await upsertConfigs(tx, userId, values);
    return readConfigs(tx, userId, keys);
  });
}
