// DELETE /users/{user}/keys/{keyid} (Coder's coderd/apikey.go `deleteAPIKey`). The row is the token's revocation handle:
// once it is gone the session middleware refuses the token on the very next request. Expired keys can be
// deleted too.
import { successRecord } from "../audit/middleware.ts";
import { defineRoute, noContent } from "../http/define-route.ts";
import { notFound } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { KeyParams } from "./key-param.ts";
import { deleteKeyById, keyForAction } from "./queries.ts";

const route = defineRoute("delete", "/users/{user}/keys/{keyid}", "Delete API key", {
  auth: "user-target",
  params: KeyParams,
  responses: noContent(),
});

export const deleteKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db } = c.env.deps;
    const key = await keyForAction(db, c.get("actor"), c.req.valid("param").keyid, "delete");
    // The route records itself (src/audit/actions.ts): the record goes with the deletion. Deleted by someone
    // else between the lookup and now: nothing written, and the refusal is recorded after the response.
    if (!(await deleteKeyById(db, key.id, successRecord(c, 204)))) throw notFound();
    return c.body(null, 204);
  });
