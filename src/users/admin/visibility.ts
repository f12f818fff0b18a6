// Which users a caller may read, as a SQL condition. Coder filters lists through its RBAC layer, so an
// unreadable row is simply absent (Coder's coderd/rbac/roles.go): members see themselves, readers of every user
// (owner, user-admin, auditor, template-admin) see everyone, a token whose scopes allow no user reads sees
// no one, and a token whose allow list names users (`user:<id>`, Coder's coderd/rbac/allowlist.go) sees only those
// of them its roles let it read, as `can` decides for each one.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Actor } from "../../auth/actor.ts";
import { allowListIds, permits } from "../../auth/rbac.ts";
import { users } from "../../db/schema.ts";

/**
 * undefined = no restriction. `id` is the users.id column the condition applies to: another alias of the
 * table (GET /users' cursor row) gets the same rule.
 */
export function readableUsers(actor: Actor, id: AnyPgColumn = users.id): SQL | undefined {
  let byRole: SQL | undefined;
  if (permits(actor, "user", "read")) byRole = undefined;
  else if (permits(actor, "user", "read", { ownerId: actor.userId })) byRole = eq(id, actor.userId);
  else return sql`false`;
  const allowed = allowListIds(actor.allowList, "user");
  if (allowed === undefined) return byRole;
  if (allowed.length === 0) return sql`false`;
  return and(byRole, inArray(id, allowed));
}
