import { createRoute, z } from "@hono/zod-openapi";
import { can } from "../auth/rbac.ts";
import { requireActor } from "../auth/session.ts";
import { errorResponses, notFound } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { findUserByParam } from "./queries.ts";
import { UserSchema, userView } from "./view.ts";

export const UserParam = z.object({
  user: z.string().openapi({ param: { name: "user", in: "path" }, description: "User ID, username, or me" }),
});

const route = createRoute({
  method: "get",
  path: "/users/{user}",
  tags: ["Users"],
  summary: "Get user by name",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor()] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses(401, 404),
  },
});

export const getUser = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const found = await findUserByParam(c.env.deps.db, c.req.valid("param").user, actor);
    // A user the caller may not read is indistinguishable from one that does not exist.
    if (!found || !can(actor, "user", "read", found.user.id)) throw notFound();
    return c.json(userView(found.user, found.memberships.map((m) => m.organization_id)), 200);
  });
