// GET /users/{user}/keys/{keyid} (Coder's coderd/apikey.go `apiKeyByID`): any key type, the login session included.
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { KeyParams } from "./key-param.ts";
import { keyForAction } from "./queries.ts";
import { APIKeySchema, apiKeyView } from "./view.ts";

const route = defineRoute("get", "/users/{user}/keys/{keyid}", "Get API key by ID", {
  auth: "user-target",
  params: KeyParams,
  responses: ok(APIKeySchema),
});

export const getKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const key = await keyForAction(c.env.deps.db, c.get("actor"), c.req.valid("param").keyid, "read");
    return c.json(apiKeyView(key), 200);
  });
