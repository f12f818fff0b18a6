// An organization by name (Coder's coderd/users.go). As in Coder, `{user}` only has to resolve to a user
// the caller can see; the target's membership is not required. Unknown and unreadable are both 404.
import { createRoute, z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { requireActor } from "../../auth/session.ts";
import { errorResponses, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { organizationByName } from "../../orgs/queries.ts";
import { OrganizationSchema, organizationView } from "../../orgs/view.ts";
import { UserParam, withTargetUser } from "../target.ts";

const Params = UserParam.extend({
  organizationname: z.string().openapi({ param: { name: "organizationname", in: "path" }, description: "Organization name" }),
});

const route = createRoute({
  method: "get",
  path: "/users/{user}/organizations/{organizationname}",
  tags: ["Users"],
  summary: "Get organization by user and organization name",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser()] as const,
  request: { params: Params },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: OrganizationSchema } } },
    ...errorResponses(401, 404),
  },
});

export const getUserOrganizationByName = (app: Router) =>
  app.openapi(route, async (c) => {
    const org = await organizationByName(c.env.deps.db, c.req.valid("param").organizationname);
    if (!org || !can(c.get("actor"), "organization", "read", { orgId: org.id })) throw notFound();
    return c.json(organizationView(org), 200);
  });
