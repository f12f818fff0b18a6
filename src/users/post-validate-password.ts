// Open to anyone: the setup page checks the owner's password before any user (and session) exists.
import { z } from "@hono/zod-openapi";
import { checkPassword } from "../auth/password-policy.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { requiredString } from "../http/validation.ts";

const Body = z.object({ password: requiredString() }).openapi("ValidateUserPasswordRequest");
const Response = z.object({ valid: z.boolean(), details: z.string() }).openapi("ValidateUserPasswordResponse");

const route = defineRoute("post", "/users/validate-password", "Validate user password", {
  tags: ["Authorization"],
  auth: "public",
  body: Body,
  responses: ok(Response),
});

export const postValidatePassword = (app: Router) =>
  app.openapi(route, (c) => {
    const problem = checkPassword(c.req.valid("json").password);
    return c.json({ valid: problem === undefined, details: problem ?? "" }, 200);
  });
