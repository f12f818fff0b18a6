// GET /users/roles (Coder's coderd/roles.go `AssignableSiteRoles` and `assignableRoles`; the body is
// codersdk/roles.go `AssignableRoles`): the site roles the dashboard's role picker offers, each with whether the
// caller may grant it. A literal path, mounted before /users/{user} so `roles` is never read as a username.
// As in Coder, the implied `member` role is left out, a caller who may not read role assignments is a 403, and
// the permissions are the role tables of src/auth/rbac.ts, the ones every request is checked against.
import { z } from "@hono/zod-openapi";
import { type Action, can, canAssignSiteRole, type Grants, SITE_ROLES } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { forbidden } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";

const Permission = z.object({ negate: z.boolean(), resource_type: z.string(), action: z.string() }).openapi("Permission");

const AssignableRole = z
  .object({
    name: z.string(),
    display_name: z.string(),
    // Empty for a site role, as Coder's db2sdk leaves it for a role outside any organization.
    organization_id: z.string(),
    site_permissions: z.array(Permission),
    organization_permissions: z.array(Permission),
    organization_member_permissions: z.array(Permission),
    user_permissions: z.array(Permission),
    assignable: z.boolean(),
    built_in: z.boolean(),
  })
  .openapi("AssignableRoles");

const route = defineRoute("get", "/users/roles", "Get site member roles", {
  tags: ["Members"],
  auth: "session",
  errors: [403],
  responses: ok(z.array(AssignableRole)),
});

type Permission = z.infer<typeof Permission>;

/** A grant table as Coder's permission list: one entry per resource and action, sorted by resource as Coder's `Permissions` sorts. */
function permissions(grants: Grants | undefined): Permission[] {
  const entries = Object.entries(grants ?? {}) as [string, readonly Action[]][];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.flatMap(([resource, actions]) => actions.map((action) => ({ negate: false, resource_type: resource, action })));
}

/** Every site role but the implied member, in the order of the role table. */
const LISTED = Object.entries(SITE_ROLES).filter(([name]) => name !== "member");

export const getAssignableRoles = (app: Router) =>
  app.openapi(route, (c) => {
    const actor = c.get("actor");
    // Every member may read the assignable roles; only a token narrowed below that is refused, as in Coder.
    if (!can(actor, "assign_role", "read")) throw forbidden();
    const roles: z.infer<typeof AssignableRole>[] = LISTED.map(([name, role]) => ({
      name,
      display_name: role.displayName,
      organization_id: "",
      site_permissions: permissions("site" in role ? role.site : undefined),
      organization_permissions: [],
      organization_member_permissions: [],
      user_permissions: permissions("self" in role ? role.self : undefined),
      // The rule PUT /users/{user}/roles enforces on every role it adds or removes.
      assignable: canAssignSiteRole(actor, name),
      built_in: true,
    }));
    return c.json(roles, 200);
  });
