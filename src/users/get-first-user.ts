import { defineRoute } from "../http/define-route.ts";
import { ErrorSchema, apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { hasFirstUser } from "./queries.ts";

const route = defineRoute("get", "/users/first", "Check initial user created", {
  auth: "public",
  errors: [404],
  responses: {
    200: { description: "The first user exists", content: { "application/json": { schema: ErrorSchema } } },
  },
});

export const getFirstUser = (app: Router) =>
  app.openapi(route, async (c) => {
    if (!(await hasFirstUser(c.env.deps.db))) throw apiError(404, "The initial user has not been created!");
    return c.json({ message: "The initial user has already been created!" }, 200);
  });
