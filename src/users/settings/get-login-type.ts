// Only the session's own user may ask (Coder: "only works if the api key and the requested user
// match"), so even an owner gets 403 for someone else; users the caller cannot see are 404 first.
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requireSelf } from "../target.ts";
import { UserSchema } from "../view.ts";

const LoginTypeSchema = z.object({ login_type: UserSchema.shape.login_type }).openapi("UserLoginType");

const route = defineRoute("get", "/users/{user}/login-type", "Get user login type", {
  auth: "user-target",
  middleware: [requireSelf("You are not authorized to view this user's login type.")],
  errors: [403],
  responses: ok(LoginTypeSchema),
});

export const getLoginType = (app: Router) =>
  app.openapi(route, (c) => {
    return c.json({ login_type: c.get("target").user.loginType }, 200);
  });
