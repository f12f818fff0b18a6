// PUT /users/{user}/status/suspend and /status/activate (Coder's coderd/users.go): one endpoint template,
// two literal paths, as Coder's putUserStatus. Suspension keeps the user's keys: the session middleware
// refuses a suspended user's tokens on the very next request, and activation makes them work again.
// Owners cannot be suspended at all, so the last owner who can sign in never is.
import { can, OWNER_ROLE as OWNER } from "../../auth/rbac.ts";
import type { UserStatus } from "../../db/schema.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError, forbidden, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { notifyStatusChanged } from "../notifications/events.ts";
import { isLiveUser, setUserStatus } from "../queries.ts";
import { assertMayActOn } from "../target.ts";
import { organizationIdsOf, UserSchema, userView } from "../view.ts";

const cannotSuspendOwner = () => apiError(400, `You cannot suspend a user with the "${OWNER}" role. You must remove the role first.`);

function statusRoute(action: "suspend" | "activate") {
  return defineRoute("put", `/users/{user}/status/${action}`, action === "suspend" ? "Suspend user account" : "Activate user account", {
    auth: "user-target",
    errors: [400, 403],
    responses: ok(UserSchema),
  });
}

function mountStatus(app: Router, action: "suspend" | "activate", status: UserStatus) {
  app.openapi(statusRoute(action), async (c) => {
    const { deps } = c.env;
    const { db, now } = deps;
    const actor = c.get("actor");
    const { user, memberships } = c.get("target");
    if (action === "suspend") {
      if (user.id === actor.userId) throw apiError(400, "You cannot suspend yourself.");
      if (user.rbacRoles.includes(OWNER)) throw cannotSuspendOwner();
    }
    // Coder lets the database refuse and answers 500; an explicit 403 says the same without looking broken.
    if (!can(actor, "user", "update", { ownerId: user.id })) throw forbidden();
    // Only reached by activation: no owner can be suspended, by anyone.
    assertMayActOn(actor, user, "change the status of");

    // An owner role granted since the lookup still protects the user from suspension.
    const updated = await setUserStatus(db, user.id, { status, updatedAt: now() }, action === "suspend");
    if (!updated) throw (await isLiveUser(db, user.id)) ? cannotSuspendOwner() : notFound();
    notifyStatusChanged(deps, updated, status === "suspended" ? "suspended" : "active", actor.user.name);
    return c.json(userView(updated, organizationIdsOf(memberships)), 200);
  });
}

export const putUserSuspend = (app: Router) => mountStatus(app, "suspend", "suspended");
export const putUserActivate = (app: Router) => mountStatus(app, "activate", "active");
