// The organizations a user belongs to, narrowed to those the caller may read (Coder's coderd/users.go `organizationsByUser`).
import { z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { organizationsOfUser } from "../../orgs/queries.ts";
import { OrganizationSchema, organizationView } from "../../orgs/view.ts";
import { readTarget } from "../target-reads.ts";

const route = defineRoute("get", "/users/{user}/organizations", "Get organizations by user", {
  auth: "user-target",
  alongside: [organizationsOfUser],
  responses: ok(z.array(OrganizationSchema)),
});

export const getUserOrganizations = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const orgs = await readTarget(c, organizationsOfUser);
    const readable = orgs.filter((org) => can(actor, "organization", "read", { orgId: org.id }));
    return c.json(readable.map(organizationView), 200);
  });
