// PUT /users/{user}/roles (Coder's coderd/users.go `putUserRoles`): replaces the user's site roles. Every role added or
// removed must be one the caller may assign, only an owner may change an owner's roles, and the last owner
// keeps the role. The diff is computed against the row locked for the update, so a concurrent change
// cannot slip a role past the check.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { canAssignSiteRole, isSiteRole, OWNER_ROLE } from "../../auth/rbac.ts";
import type { TargetEnv } from "../../deps.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError, forbidden, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { lockSiteRoles, setSiteRoles } from "../queries.ts";
import { requireMayActOnTarget } from "../target.ts";
import { organizationIdsOf, UserSchema, userView } from "../view.ts";
import { lockActiveOwners, refuseLastOwner } from "./owners.ts";

// Coder's Go slice: null or absent means "no roles".
const Body = z.object({ roles: z.array(z.string()).nullable().optional() }).openapi("UpdateRoles");

/** Implied for everyone, so it is never stored and never part of the diff. */
const IMPLIED = "member";

// Coder first refuses OIDC users whose site roles come from the IdP (role sync). Gatehouse has no IdP
// role sync, so that rule does not apply; the self rule comes next, before the body is read.
const notSelf = (): MiddlewareHandler<TargetEnv> =>
  async function notSelf(c, next) {
    if (c.get("target").user.id === c.get("actor").userId) throw apiError(400, "You cannot change your own roles.");
    await next();
  };

const route = defineRoute("put", "/users/{user}/roles", "Assign role to user", {
  tags: ["Members"],
  auth: "user-target",
  body: Body,
  middleware: [notSelf(), requireMayActOnTarget("change the roles of")],
  errors: [403],
  responses: ok(UserSchema),
});

/** Site roles only, each one known: checked on every requested role, as Coder does. */
function assertSiteRoles(roles: readonly string[]): void {
  for (const role of roles) {
    // `name:<org uuid>` is how Coder names an organization role.
    if (role.includes(":")) throw apiError(400, "Must only update site wide roles");
    if (!isSiteRole(role)) throw apiError(400, `"${role}" is not a supported role`);
  }
}

export const putUserRoles = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db } = c.env.deps;
    const actor = c.get("actor");
    const { user, memberships } = c.get("target");
    const requested = c.req.valid("json").roles ?? [];
    assertSiteRoles(requested);
    const desired = [...new Set(requested)].filter((r) => r !== IMPLIED);

    const updated = await db.transaction(async (tx) => {
      // The owners first, then the user: every transaction that can remove an owner locks in this order.
      const owners = await lockActiveOwners(tx);
      const roles = await lockSiteRoles(tx, user.id);
      if (!roles) throw notFound();
      const current = roles.filter((r) => r !== IMPLIED);
      const added = desired.filter((r) => !current.includes(r));
      const removed = current.filter((r) => !desired.includes(r));
      for (const role of [...added, ...removed]) if (!canAssignSiteRole(actor, role)) throw forbidden();
      if (removed.includes(OWNER_ROLE)) refuseLastOwner(owners, user.id, `remove the "${OWNER_ROLE}" role from`);
      // Coder's UpdateUserRoles leaves updated_at alone; so does this.
      return setSiteRoles(tx, user.id, desired);
    });
    return c.json(userView(updated, organizationIdsOf(memberships)), 200);
  });
