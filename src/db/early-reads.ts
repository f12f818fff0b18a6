// A read sent ahead of the checks that decide whether its answer is used, kept for the rest of the request.
// On Workers every statement is a round trip to the database; a read that does not depend on a statement
// already in flight can travel beside it, and the two take one round trip instead of two in a row
// (docs/performance.md). Used by the sign-in's account read (src/users/sign-in-lookup.ts) and by a
// `/users/me` GET's read of the caller's rows (src/users/target-reads.ts).
//
// Only reads: started before the checks, a read must have no effect of its own. The one who takes it does
// so where it made the read before, after the checks, and gets it only for the same read and key.
import type { Context } from "hono";
import type { Db } from "./index.ts";

/** A read keyed by one value: an email, a user's id. */
export type KeyedRead<T> = (db: Db, key: string) => Promise<T>;

const started = new WeakMap<Context, Map<KeyedRead<unknown>, { key: string; result: Promise<unknown> }>>();

/** Sends `read(key)` now, on this request's database handle. */
export function startRead<T>(c: Context, read: KeyedRead<T>, key: string): void {
  const result = read(c.env.deps.db, key);
  // A request refused before the read is taken never awaits it: its failure must not be an unhandled rejection.
  result.catch(() => {});
  let reads = started.get(c);
  if (!reads) started.set(c, (reads = new Map()));
  reads.set(read as KeyedRead<unknown>, { key, result });
}

/** `read(key)`: the one this request started, when it started the same read for the same key; else made now. */
export function takeRead<T>(c: Context, read: KeyedRead<T>, key: string): Promise<T> {
  const early = started.get(c)?.get(read as KeyedRead<unknown>);
  if (early && early.key === key) return early.result as Promise<T>;
  return read(c.env.deps.db, key);
}
