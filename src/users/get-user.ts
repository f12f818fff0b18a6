import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../auth/session.ts";
import { errorResponses } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { UserParam, withTargetUser } from "./target.ts";
import { UserSchema, userView } from "./view.ts";

const route = createRoute({
  method: "get",
  path: "/users/{user}",
  tags: ["Users"],
  summary: "Get user by name",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser()] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses(401, 404),
  },
});

export const getUser = (app: Router) =>
  app.openapi(route, (c) => {
    const { user, memberships } = c.get("target");
    return c.json(userView(user, memberships.map((m) => m.organization_id)), 200);
  });
