// Reads a `/users/{user}/...` GET route makes of its target user, started beside the session's actor query
// when the path names the caller (`me`, as Coder's clients do): the target's id is then the token's subject,
// known once the signature holds and before the database is asked anything. On Workers each statement is a
// round trip to the database, and the two take one round trip together instead of two in a row
// (docs/performance.md).
//
// A read started early is a plain read, with no effect of its own. The handler still asks for it where it
// made it before (`readTarget`), after the actor, the target and every permission check of the route have
// passed, and gets it only for the target it resolved; a request refused before then never awaits it.
import type { Context } from "hono";
import type { Db } from "../db/index.ts";
import type { AppEnv, TargetEnv } from "../deps.ts";

/** A read of one user's rows, by the user's id. Declared by the route (`defineRoute`'s `alongside`). */
export type TargetRead<T> = (db: Db, userId: string) => Promise<T>;

interface Started {
  userId: string;
  result: Promise<unknown>;
}

const started = new WeakMap<Context, Map<TargetRead<unknown>, Started>>();

/**
 * Starts `reads` for the token's subject `userId` when the route's `{user}` is `me`; the session middleware
 * calls it just before the actor query.
 */
export function startTargetReads<E extends AppEnv>(c: Context<E>, reads: readonly TargetRead<unknown>[], userId: string): void {
  if (reads.length === 0 || c.req.param("user") !== "me") return;
  const byRead = new Map<TargetRead<unknown>, Started>();
  for (const read of reads) {
    const result = read(c.env.deps.db, userId);
    // A refused request never awaits it: its failure must not be an unhandled rejection.
    result.catch(() => {});
    byRead.set(read, { userId, result });
  }
  started.set(c, byRead);
}

/** `read` of the route's target user: the one started beside the actor query when it was for this user, else made now. */
export function readTarget<T, E extends TargetEnv>(c: Context<E>, read: TargetRead<T>): Promise<T> {
  const userId = c.get("target").user.id;
  const early = started.get(c)?.get(read as TargetRead<unknown>);
  if (early && early.userId === userId) return early.result as Promise<T>;
  return read(c.env.deps.db, userId);
}
