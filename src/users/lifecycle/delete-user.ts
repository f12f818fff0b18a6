// DELETE /users/{user} (Coder's coderd/users.go `deleteUser`): a soft delete. The trigger_update_users trigger deletes the
// user's API keys and user links inside the same statement, so the user, their sessions and their SSO
// links go together or not at all; memberships and the Git SSH key stay, as in Coder. The partial unique
// indexes skip deleted rows, which frees the username and email for a new account.
import { z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError, forbidden, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { notifyAccountDeleted } from "../notifications/events.ts";
import { markUserDeleted } from "../queries.ts";
import { assertMayActOn } from "../target.ts";
import { lockActiveOwners, refuseLastOwner } from "./owners.ts";

const Deleted = z.object({ message: z.string() });

const route = defineRoute("delete", "/users/{user}", "Delete user", { auth: "user-target", errors: [400, 403], responses: ok(Deleted) });

export const deleteUser = (app: Router) =>
  app.openapi(route, async (c) => {
    const { deps } = c.env;
    const { db, now } = deps;
    const actor = c.get("actor");
    const { user } = c.get("target");
    if (user.id === actor.userId) throw apiError(403, "You cannot delete yourself!");
    // Coder refuses (417) to delete a user who still owns workspaces. Gatehouse has no workspaces, so
    // that rule can never apply here.
    if (!can(actor, "user", "delete", { ownerId: user.id })) throw forbidden();
    assertMayActOn(actor, user, "delete");
    const deleted = await db.transaction(async (tx) => {
      refuseLastOwner(await lockActiveOwners(tx), user.id, "delete");
      return markUserDeleted(tx, user.id, now());
    });
    // Someone else deleted the user between the lookup and now.
    if (!deleted) throw notFound();
    notifyAccountDeleted(deps, user, actor.user.name);
    return c.json({ message: "User has been deleted!" }, 200);
  });
