// Open to anyone: the setup page checks the owner's password before any user (and session) exists.
import { z } from "@hono/zod-openapi";
import { checkPassword } from "../auth/password-policy.ts";
import { defineRoute } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { requiredString } from "../http/validation.ts";

const Body = z.object({ password: requiredString() }).openapi("ValidateUserPasswordRequest");
const Response = z.object({ valid: z.boolean(), details: z.string() }).openapi("ValidateUserPasswordResponse");

const route = defineRoute({
  method: "post",
  path: "/users/validate-password",
  tags: ["Authorization"],
  summary: "Validate user password",
  auth: "public",
  body: Body,
  responses: { 200: { description: "OK", content: { "application/json": { schema: Response } } } },
});

export const postValidatePassword = (app: Router) =>
  app.openapi(route, (c) => {
    const problem = checkPassword(c.req.valid("json").password);
    return c.json({ valid: problem === undefined, details: problem ?? "" }, 200);
  });
