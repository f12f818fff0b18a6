// Personal settings (appearance, preferences, Git SSH key, autofill values) belong to the user: reading
// them needs `read_personal`, changing them `update_personal` (the user, owners and user admins).
// Being able to see a user is not enough, and a denial looks exactly like a missing user: 404.
import type { MiddlewareHandler } from "hono";
import { can } from "../../auth/rbac.ts";
import type { TargetEnv } from "../../deps.ts";
import { notFound } from "../../http/errors.ts";

export const requirePersonal = (action: "read_personal" | "update_personal"): MiddlewareHandler<TargetEnv> =>
  async function requirePersonal(c, next) {
    const { user } = c.get("target");
    if (!can(c.get("actor"), "user", action, { ownerId: user.id })) throw notFound();
    await next();
  };
