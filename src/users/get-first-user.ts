import { createRoute } from "@hono/zod-openapi";
import { ErrorSchema, apiError, errorResponses } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { hasFirstUser } from "./queries.ts";

const route = createRoute({
  method: "get",
  path: "/users/first",
  tags: ["Users"],
  summary: "Check initial user created",
  responses: {
    200: { description: "The first user exists", content: { "application/json": { schema: ErrorSchema } } },
    ...errorResponses(404),
  },
});

export const getFirstUser = (app: Router) =>
  app.openapi(route, async (c) => {
    if (!(await hasFirstUser(c.env.deps.db))) throw apiError(404, "The initial user has not been created!");
    return c.json({ message: "The initial user has already been created!" }, 200);
  });
