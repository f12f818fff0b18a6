// An organization by name (Coder's coderd/users.go). As in Coder, `{user}` only has to resolve to a user
// the caller can see; the target's membership is not required. Unknown and unreadable are both 404.
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { organizationByName } from "../../orgs/queries.ts";
import { OrganizationSchema, organizationView } from "../../orgs/view.ts";
import { userAnd } from "../target.ts";

const route = defineRoute("get", "/users/{user}/organizations/{organizationname}", "Get organization by user and organization name", {
  auth: "user-target",
  params: userAnd("organizationname", "Organization name"),
  responses: ok(OrganizationSchema),
});

export const getUserOrganizationByName = (app: Router) =>
  app.openapi(route, async (c) => {
    const org = await organizationByName(c.env.deps.db, c.req.valid("param").organizationname);
    if (!org || !can(c.get("actor"), "organization", "read", { orgId: org.id })) throw notFound();
    return c.json(organizationView(org), 200);
  });
