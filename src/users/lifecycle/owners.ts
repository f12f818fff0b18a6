// The deployment always keeps an owner who can sign in: no request deletes, suspends or demotes the last
// one, since no API call could make a new owner afterwards. Coder has no such rule; its remedy is a
// command run on the server itself, `coder server create-admin-user`
// (https://github.com/coder/coder/blob/main/docs/admin/users/password-auth.md), which Gatehouse lacks.
//
// The check and the write share a transaction, and the check locks every owner row first. Two requests
// each removing one of two owners therefore run one after the other: the second locks the rows only once
// the first has committed, no longer finds the first one's target among the owners, and refuses.
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { OWNER_ROLE } from "../../auth/rbac.ts";
import type { Tx } from "../../db/index.ts";
import { users } from "../../db/schema.ts";
import { apiError } from "../../http/errors.ts";

/**
 * Locks the rows of the owners who can sign in (not deleted, not suspended; a dormant user becomes active
 * by signing in) and returns their ids. Always the first lock a caller takes, and in id order, so
 * concurrent callers queue instead of deadlocking.
 */
export async function lockActiveOwners(tx: Tx): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.deleted, false), ne(users.status, "suspended"), sql`${OWNER_ROLE} = any(${users.rbacRoles})`))
    .orderBy(asc(users.id))
    // What the UPDATEs that follow take too: it queues them, yet lets foreign-key checks (an audit row
    // naming the user) through.
    .for("no key update");
  return rows.map((r) => r.id);
}

/** 400 when `userId` is the only one of `owners` (what lockActiveOwners returned); `what` says what was refused. */
export function refuseLastOwner(owners: readonly string[], userId: string, what: string): void {
  if (owners.length === 1 && owners[0] === userId) {
    throw apiError(400, `You cannot ${what} the last owner. Make another user an owner first.`);
  }
}
