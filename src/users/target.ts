// Resolves the `{user}` path parameter for every /users/{user}/... route. A user the caller may not
// read is answered exactly like one that does not exist: 404. Every route that changes the user also
// runs `requireMayActOnTarget`, the one place where the owners-only rule (rbac.ts mayActOnUser) is enforced.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Actor } from "../auth/actor.ts";
import { type Action, can, mayActOnUser, type Resource } from "../auth/rbac.ts";
import type { TargetEnv } from "../deps.ts";
import { apiError, notFound } from "../http/errors.ts";
import { findUserByParam } from "./queries.ts";

/** A path parameter as Coder's swagger documents it. */
const pathParam = (name: string, description: string) => z.string().openapi({ param: { name, in: "path" }, description });

export const UserParam = z.object({ user: pathParam("user", "User ID, username, or me") });

/** `{user}` and one more path parameter, for a route's `params`: `userAnd("keyid", "Key ID")`. */
export const userAnd = <K extends string>(name: K, description: string) =>
  UserParam.extend({ [name]: pathParam(name, description) } as { [P in K]: ReturnType<typeof pathParam> });

export const withTargetUser = (): MiddlewareHandler<TargetEnv> =>
  async function withTargetUser(c, next) {
    const actor = c.get("actor");
    const found = await findUserByParam(c.env.deps.db, c.req.param("user") ?? "", actor);
    if (!found || !can(actor, "user", "read", { ownerId: found.user.id })) throw notFound();
    c.set("target", found);
    await next();
  };

/**
 * Refuses a non-owner changing an owner: `Only owners can <what> an owner.` 403, or the status Coder uses
 * for the same refusal where it has one (400 on the password route).
 */
export function assertMayActOn(
  actor: Actor,
  user: { id: string; rbacRoles: readonly string[] },
  what: string,
  status: ContentfulStatusCode = 403,
): void {
  if (!mayActOnUser(actor, user)) throw apiError(status, `Only owners can ${what} an owner.`);
}

/** `assertMayActOn` on the route's target, as middleware: placed after the route's permission check, before the body is read. */
export const requireMayActOnTarget = (what: string, status?: ContentfulStatusCode): MiddlewareHandler<TargetEnv> =>
  async function requireMayActOnTarget(c, next) {
    assertMayActOn(c.get("actor"), c.get("target").user, what, status);
    await next();
  };

/** Refuses anyone but the target user themself, owners included: 403 with `refusal`. */
export const requireSelf = (refusal: string): MiddlewareHandler<TargetEnv> =>
  async function requireSelf(c, next) {
    if (c.get("target").user.id !== c.get("actor").userId) throw apiError(403, refusal);
    await next();
  };

/**
 * Personal data and settings (profile, password, appearance, preferences, Git SSH key, autofill values)
 * belong to the user: reading them needs `read_personal`, changing them `update_personal` (the user, owners
 * and user admins). Being able to see a user is not enough, and a denial looks exactly like a missing user: 404.
 */
export const requirePersonal = (action: "read_personal" | "update_personal"): MiddlewareHandler<TargetEnv> =>
  requireOnTarget("user", action);

/**
 * Refuses a caller who may not do `action` on the `resource` the route's target user owns. The denial is a
 * 404 unless `deny` says otherwise, so that it looks exactly like a missing user.
 */
export const requireOnTarget = (resource: Resource, action: Action, deny: () => Error = notFound): MiddlewareHandler<TargetEnv> =>
  async function requireOnTarget(c, next) {
    if (!can(c.get("actor"), resource, action, { ownerId: c.get("target").user.id })) throw deny();
    await next();
  };
