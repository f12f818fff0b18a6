// Resolves the `{user}` path parameter for every /users/{user}/... route. A user the caller may not
// read is answered exactly like one that does not exist: 404.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { can } from "../auth/rbac.ts";
import type { AppEnv } from "../deps.ts";
import { notFound } from "../http/errors.ts";
import { findUserByParam } from "./queries.ts";

export const UserParam = z.object({
  user: z.string().openapi({ param: { name: "user", in: "path" }, description: "User ID, username, or me" }),
});

export const withTargetUser = (): MiddlewareHandler<AppEnv> =>
  async function withTargetUser(c, next) {
    const actor = c.get("actor");
    const found = await findUserByParam(c.env.deps.db, c.req.param("user") ?? "", actor);
    if (!found || !can(actor, "user", "read", { ownerId: found.user.id })) throw notFound();
    c.set("target", found);
    await next();
  };
