// POST /users/{user}/keys/tokens (Coder's coderd/apikey.go `postToken`): a named API token. Checks run in Coder's order:
// body, system user, scopes, name, allow list, lifetime; then the insert, whose unique index decides
// name clashes (409), never a prior read. The key and its audit record are one statement (issueRecordedKey).
import type { Context } from "hono";
import { clientIp } from "../auth/session.ts";
import { uniqueViolation } from "../db/errors.ts";
import type { TargetEnv } from "../deps.ts";
import { defineRoute, created } from "../http/define-route.ts";
import { apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { assertWithinCaller, mayCreateKey, refuseSystemUser } from "./guards.ts";
import { issueRecordedKey, type IssuedKey } from "./issue-recorded.ts";
import type { NewKey } from "./issue.ts";
import { readLifetime } from "./lifetime.ts";
import { generateTokenName } from "./names.ts";
import { CreateTokenRequest, resolveAllowList, resolveLifetimeMs, resolveScopes } from "./token-request.ts";
import { GenerateAPIKeyResponse } from "./view.ts";

const route = defineRoute("post", "/users/{user}/keys/tokens", "Create token API key", {
  auth: "user-target",
  body: CreateTokenRequest,
  middleware: [mayCreateKey()],
  errors: [403, 409],
  responses: created(GenerateAPIKeyResponse),
});

/** Generated names collide rarely; each retry draws a new name with more digits. */
const NAME_ATTEMPTS = 6;

/** A violation of the index that makes a user's token names unique (src/db/schema.ts). */
function nameClash(err: unknown): boolean {
  const index = uniqueViolation(err);
  // "" when the driver did not name the index: the only other unique one is the key's random 10-character id.
  return index === "api_keys_token_name_idx" || index === "";
}

/**
 * Writes the key with its audit record under `name`, or under generated names until one is free. Each try
 * is one statement outside any transaction (the route records itself, src/audit/actions.ts), so a name
 * clash raised by the unique index fails that statement alone and the next try can follow it.
 */
async function insertNamed(
  c: Context<TargetEnv>,
  key: Omit<NewKey, "tokenName" | "loginType">,
  name: string | undefined,
): Promise<IssuedKey> {
  const attempts = name === undefined ? NAME_ATTEMPTS : 1;
  let tokenName = "";
  for (let attempt = 0; attempt < attempts; attempt++) {
    tokenName = name ?? generateTokenName(attempt);
    try {
      // A generated name is recorded as the key's id, as the caller did not choose it.
      return await issueRecordedKey(c, { ...key, loginType: "token", tokenName }, (id) => ({ resourceId: id, resourceTarget: name ?? id }));
    } catch (err) {
      if (!nameClash(err)) throw err;
    }
  }
  throw apiError(409, `A token with name "${tokenName}" already exists.`, undefined, [
    { field: "name", detail: "This value is already in use and should be unique." },
  ]);
}

export const postToken = (app: Router) =>
  app.openapi(route, async (c) => {
    const deps = c.env.deps;
    const actor = c.get("actor");
    const { user } = c.get("target");
    const body = c.req.valid("json");
    const lifetime = readLifetime(await c.req.text());
    if (!lifetime.ok) throw apiError(400, "Request body must be valid JSON.", lifetime.detail);
    refuseSystemUser(user);

    const scopes = resolveScopes(body, actor);
    const name = body.token_name ? body.token_name : undefined;
    const allowList = resolveAllowList(body, actor);
    const lifetimeMs = resolveLifetimeMs(lifetime.ns, deps.config, user);
    assertWithinCaller(actor, scopes, allowList);

    const { token } = await insertNamed(
      c,
      { userId: user.id, lifetimeMs, ip: clientIp(c.env), scopes, allowList, exactExpiry: true },
      name,
    );
    return c.json({ key: token }, 201);
  });
