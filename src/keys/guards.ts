// Who may mint a key for whom. A key is an `api_key` owned by the `{user}` it is minted for: the user
// themselves or an owner (Coder's coderd/apikey.go). And a token may only mint what it could do itself, so a
// narrowly scoped token cannot trade itself for a `coder:all` one.
import type { MiddlewareHandler } from "hono";
import type { Actor } from "../auth/actor.ts";
import { allows, can, scopesAllow, type Action, type Resource } from "../auth/rbac.ts";
import { scopeGrants } from "../auth/scopes.ts";
import type { TargetEnv } from "../deps.ts";
import { apiError, forbidden } from "../http/errors.ts";
import { uncoveredEntry } from "./allow-list.ts";

/**
 * Refuses before the body is read. Coder lets its database layer refuse the insert and answers 500; an
 * explicit 403 says the same without looking broken.
 */
export const mayCreateKey = (): MiddlewareHandler<TargetEnv> =>
  async function mayCreateKey(c, next) {
    if (!can(c.get("actor"), "api_key", "create", { ownerId: c.get("target").user.id })) throw forbidden();
    await next();
  };

/** System users (such as Coder's prebuilds user) never get keys (Coder's coderd/apikey.go `postAPIKey`). */
export function refuseSystemUser(user: { isSystem: boolean }): void {
  if (user.isSystem) throw forbidden();
}

const exceeds = (what: string) => apiError(403, "Forbidden.", `The requested ${what} exceeds what the token making the request may do.`);

/** Every permission `scope` grants must be granted by one of the caller's scopes (a wildcard only by a wildcard). */
function covered(held: readonly string[], scope: string): boolean {
  const grants = scopeGrants(scope) ?? {};
  return Object.entries(grants).every(([resource, actions]) =>
    (actions as readonly Action[]).every((action) => scopesAllow(held, resource as Resource, action)),
  );
}

/** The new key's scopes and allow list must lie within the caller's own. */
export function assertWithinCaller(actor: Actor, scopes: readonly string[], allowList: readonly string[]): void {
  const outside = scopes.find((s) => !covered(actor.scopes, s));
  if (outside !== undefined) throw exceeds(`scope "${outside}"`);
  const entry = uncoveredEntry(actor.allowList, allowList);
  if (entry !== undefined) throw exceeds(`allow_list entry "${entry}"`);
}

/** Is the caller unrestricted (a `coder:all` token with an open allow list)? */
export const unrestricted = (actor: Actor): boolean =>
  actor.scopes.some((s) => allows(scopeGrants(s), "*", "*")) && actor.allowList.includes("*:*");
