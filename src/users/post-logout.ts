import { z } from "@hono/zod-openapi";
import { and, eq, or, sql } from "drizzle-orm";
import { deleteCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import { apiKeys } from "../db/schema.ts";
import { defineRoute } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const route = defineRoute({
  method: "post",
  path: "/users/logout",
  tags: ["Users"],
  summary: "Log out user",
  auth: "session",
  responses: {
    200: { description: "OK", content: { "application/json": { schema: z.object({ message: z.string() }) } } },
  },
});

export const postLogout = (app: Router) =>
  app.openapi(route, async (c) => {
    const { key } = c.get("actor");
    // One statement: the calling key, and every application-connect key of the user (as Coder does).
    await c.env.deps.db
      .delete(apiKeys)
      .where(
        or(eq(apiKeys.id, key.id), and(eq(apiKeys.userId, key.userId), sql`'coder:application_connect' = any(${apiKeys.scopes})`)),
      );
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ message: "Logged out!" }, 200);
  });
