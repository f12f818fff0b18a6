// The organizations a user belongs to, narrowed to those the caller may read (Coder's coderd/users.go `organizationsByUser`).
import { createRoute, z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { requireActor } from "../../auth/session.ts";
import { errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { organizationsOfUser } from "../../orgs/queries.ts";
import { OrganizationSchema, organizationView } from "../../orgs/view.ts";
import { UserParam, withTargetUser } from "../target.ts";

const route = createRoute({
  method: "get",
  path: "/users/{user}/organizations",
  tags: ["Users"],
  summary: "Get organizations by user",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser()] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: z.array(OrganizationSchema) } } },
    ...errorResponses(401, 404),
  },
});

export const getUserOrganizations = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const orgs = await organizationsOfUser(c.env.deps.db, c.get("target").user.id);
    const readable = orgs.filter((org) => can(actor, "organization", "read", { orgId: org.id }));
    return c.json(readable.map(organizationView), 200);
  });
