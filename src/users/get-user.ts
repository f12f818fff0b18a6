import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { organizationIdsOf, UserSchema, userView } from "./view.ts";

const route = defineRoute("get", "/users/{user}", "Get user by name", { auth: "user-target", responses: ok(UserSchema) });

export const getUser = (app: Router) =>
  app.openapi(route, (c) => {
    const { user, memberships } = c.get("target");
    return c.json(userView(user, organizationIdsOf(memberships)), 200);
  });
