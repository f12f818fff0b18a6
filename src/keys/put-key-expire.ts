// PUT /users/{user}/keys/{keyid}/expire (Coder's coderd/apikey.go): sets expires_at to now if it is still in
// the future, so expiring twice succeeds and leaves the first expiry alone. The session middleware reads
// the row on every request, so the token stops at once even though its JWT `exp` lies ahead.
import { successRecord } from "../audit/middleware.ts";
import { defineRoute, noContent } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { KeyParams } from "./key-param.ts";
import { expireKey, keyForAction } from "./queries.ts";

const route = defineRoute("put", "/users/{user}/keys/{keyid}/expire", "Expire API key", {
  auth: "user-target",
  params: KeyParams,
  responses: noContent(),
});

export const putKeyExpire = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const key = await keyForAction(db, c.get("actor"), c.req.valid("param").keyid, "update");
    // The route records itself (src/audit/actions.ts): the record goes with the expiry.
    await expireKey(db, key.id, now(), successRecord(c, 204));
    return c.body(null, 204);
  });
