// POST /users/{user}/keys (Coder's coderd/apikey.go `postAPIKey`): a new session key, as the CLI mints after login. It has
// the default token lifetime, every scope (`coder:all`) and no allow list restriction; no cookie is set,
// so signing out of the browser does not end the CLI's key. The key and its audit record are one statement
// (issueRecordedKey).
import { clientIp } from "../auth/session.ts";
import { defineRoute, created } from "../http/define-route.ts";
import { forbidden } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { mayCreateKey, refuseSystemUser, unrestricted } from "./guards.ts";
import { issueRecordedKey } from "./issue-recorded.ts";
import { GenerateAPIKeyResponse } from "./view.ts";

const route = defineRoute("post", "/users/{user}/keys", "Create new session key", {
  auth: "user-target",
  middleware: [mayCreateKey()],
  errors: [403, 409],
  responses: created(GenerateAPIKeyResponse),
});

export const postKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const deps = c.env.deps;
    const { user } = c.get("target");
    refuseSystemUser(user);
    // The new key can do everything its user can: only a token that can do as much may mint it.
    if (!unrestricted(c.get("actor"))) throw forbidden();
    const key = {
      userId: user.id,
      loginType: "password",
      lifetimeMs: deps.config.defaultTokenLifetimeMs,
      ip: clientIp(c.env),
      exactExpiry: true,
    } as const;
    const { token } = await issueRecordedKey(c, key, (id) => ({ resourceId: id, resourceTarget: id }));
    return c.json({ key: token }, 201);
  });
