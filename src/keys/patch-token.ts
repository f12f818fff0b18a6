// PATCH /users/{user}/keys/tokens/{keyname} (Coder's coderd/apikey.go `patchToken`): changes a named token's
// scopes, allow list or lifetime in place, its token string unchanged. Checks run in Coder's order: body,
// `scope` with `scopes`, the key (404), permission to update it (403), scopes, allow list, lifetime; then, as
// on creation, the result must lie within what the caller itself may do.
import { auditFacts } from "../audit/facts.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import { apiError, forbidden, notFound } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { userAnd } from "../users/target.ts";
import { assertWithinCaller } from "./guards.ts";
import { readLifetime } from "./lifetime.ts";
import { mayAct, tokenByName, updateKeySettings } from "./queries.ts";
import { refuseBothScopeFields, UpdateTokenRequest, updatedAllowList, updatedExpiry, updatedScopes } from "./update-token-request.ts";
import { APIKeySchema, apiKeyView } from "./view.ts";

const route = defineRoute("patch", "/users/{user}/keys/tokens/{keyname}", "Update token API key", {
  auth: "user-target",
  params: userAnd("keyname", "Key Name"),
  body: UpdateTokenRequest,
  errors: [403],
  responses: ok(APIKeySchema),
});

export const patchToken = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, config, now } = c.env.deps;
    const actor = c.get("actor");
    const { user } = c.get("target");
    const body = c.req.valid("json");
    const lifetime = readLifetime(await c.req.text(), "UpdateTokenRequest");
    // Go fails the decode itself, before any rule: httpapi.Read's answer, as on creation.
    if (!lifetime.ok) throw apiError(400, "Request body must be valid JSON.", lifetime.detail);
    refuseBothScopeFields(body);

    const key = await tokenByName(db, actor, user.id, c.req.valid("param").keyname);
    if (!mayAct(actor, key, "update")) throw forbidden();

    const scopes = updatedScopes(body, key);
    const allowList = updatedAllowList(body, key);
    const at = now();
    const expiry = updatedExpiry(lifetime.ns, key, config, user, at);
    assertWithinCaller(actor, scopes, allowList);

    const updated = await updateKeySettings(db, key.id, { scopes, allowList, ...expiry, updatedAt: at });
    if (!updated) throw notFound();
    auditFacts(c, { resourceId: updated.id, resourceTarget: updated.tokenName });
    return c.json(apiKeyView(updated), 200);
  });
