// GET /users/{user}/roles (Coder's coderd/users.go `userRoles`): the stored roles only. The implied `member` and
// `organization-member` are never stored and never listed. Coder's swagger documents a User here; the
// server returns this shape, which is what its clients read.
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requirePersonal } from "../target.ts";

const UserRoles = z
  .object({
    roles: z.array(z.string()),
    organization_roles: z.record(z.string(), z.array(z.string())),
  })
  .openapi("UserRoles");

const route = defineRoute("get", "/users/{user}/roles", "Get user roles", {
  tags: ["Members"],
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  responses: ok(UserRoles),
});

export const getUserRoles = (app: Router) =>
  app.openapi(route, (c) => {
    const { user, memberships } = c.get("target");
    const organizationRoles: Record<string, string[]> = {};
    for (const m of memberships) organizationRoles[m.organization_id] = m.roles;
    return c.json({ roles: user.rbacRoles, organization_roles: organizationRoles }, 200);
  });
