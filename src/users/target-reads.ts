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
import { type KeyedRead, startRead, takeRead } from "../db/early-reads.ts";
import type { AppEnv, TargetEnv } from "../deps.ts";

/** A read of one user's rows, by the user's id. Declared by the route (`defineRoute`'s `alongside`). */
export type TargetRead<T> = KeyedRead<T>;

/**
 * Starts `reads` for the token's subject `userId` when the route's `{user}` is `me` (src/db/early-reads.ts);
 * the session middleware calls it just before the actor query.
 */
export function startTargetReads<E extends AppEnv>(c: Context<E>, reads: readonly TargetRead<unknown>[], userId: string): void {
  if (reads.length === 0 || c.req.param("user") !== "me") return;
  for (const read of reads) startRead(c, read, userId);
}

/** `read` of the route's target user: the one started beside the actor query when it was for this user, else made now. */
export function readTarget<T, E extends TargetEnv>(c: Context<E>, read: TargetRead<T>): Promise<T> {
  return takeRead(c, read, c.get("target").user.id);
}
