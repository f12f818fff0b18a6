// GET /users/{user}/roles (Coder's coderd/users.go `userRoles`): the stored roles only. The implied `member` and
// `organization-member` are never stored and never listed. Coder's swagger documents a User here; the
// server returns this shape, which is what its clients read.
import { z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";

const UserRoles = z
  .object({
    roles: z.array(z.string()),
    organization_roles: z.record(z.string(), z.array(z.string())),
  })
  .openapi("UserRoles");

const route = defineRoute("get", "/users/{user}/roles", "Get user roles", {
  tags: ["Members"],
  auth: "user-target",
  responses: ok(UserRoles),
});

export const getUserRoles = (app: Router) =>
  app.openapi(route, (c) => {
    const { user, memberships } = c.get("target");
    if (!can(c.get("actor"), "user", "read_personal", { ownerId: user.id })) throw notFound();
    const organizationRoles: Record<string, string[]> = {};
    for (const m of memberships) organizationRoles[m.organization_id] = m.roles;
    return c.json({ roles: user.rbacRoles, organization_roles: organizationRoles }, 200);
  });
