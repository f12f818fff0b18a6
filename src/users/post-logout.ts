import { z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import { successRecord } from "../audit/middleware.ts";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import { defineRoute } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { signOut } from "../keys/queries.ts";

const route = defineRoute("post", "/users/logout", "Log out user", {
  auth: "session",
  responses: {
    200: { description: "OK", content: { "application/json": { schema: z.object({ message: z.string() }) } } },
  },
});

export const postLogout = (app: Router) =>
  app.openapi(route, async (c) => {
    // The route records itself (src/audit/actions.ts): the record goes with the deletion.
    await signOut(c.env.deps.db, c.get("actor").key, successRecord(c, 200));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ message: "Logged out!" }, 200);
  });
