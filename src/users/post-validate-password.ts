// Open to anyone: the setup page checks the owner's password before any user (and session) exists.
import { createRoute, z } from "@hono/zod-openapi";
import { checkPassword } from "../auth/password-policy.ts";
import { errorResponses } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { decodeJsonBody, jsonBody, requiredString } from "../http/validation.ts";

const Body = z.object({ password: requiredString() }).openapi("ValidateUserPasswordRequest");
const Response = z.object({ valid: z.boolean(), details: z.string() }).openapi("ValidateUserPasswordResponse");

const route = createRoute({
  method: "post",
  path: "/users/validate-password",
  tags: ["Authorization"],
  summary: "Validate user password",
  middleware: [decodeJsonBody()] as const,
  request: jsonBody(Body),
  responses: {
    200: { description: "OK", content: { "application/json": { schema: Response } } },
    ...errorResponses(400),
  },
});

export const postValidatePassword = (app: Router) =>
  app.openapi(route, (c) => {
    const problem = checkPassword(c.req.valid("json").password);
    return c.json({ valid: problem === undefined, details: problem ?? "" }, 200);
  });
