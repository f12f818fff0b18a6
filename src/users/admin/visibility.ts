// Which users a caller may read, as a SQL condition. Coder filters lists through its RBAC layer, so an
// unreadable row is simply absent (spec/behavior.md §6.2): members see themselves, readers of every user
// (owner, user-admin, auditor, template-admin) see everyone, a token whose scopes allow no user reads sees
// no one.
import { eq, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../../auth/actor.ts";
import { can } from "../../auth/rbac.ts";
import { users } from "../../db/schema.ts";

/** undefined = no restriction. */
export function readableUsers(actor: Actor): SQL | undefined {
  if (can(actor, "user", "read")) return undefined;
  if (can(actor, "user", "read", { ownerId: actor.userId })) return eq(users.id, actor.userId);
  return sql`false`;
}
