// GET /users/{user}/keys/tokens/{keyname} (Coder's coderd/apikey.go `apiKeyByName`).
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { userAnd } from "../users/target.ts";
import { tokenByName } from "./queries.ts";
import { APIKeySchema, apiKeyView } from "./view.ts";

const route = defineRoute("get", "/users/{user}/keys/tokens/{keyname}", "Get API key by token name", {
  auth: "user-target",
  params: userAnd("keyname", "Key Name"),
  responses: ok(APIKeySchema),
});

export const getTokenByName = (app: Router) =>
  app.openapi(route, async (c) => {
    const key = await tokenByName(c.env.deps.db, c.get("actor"), c.get("target").user.id, c.req.valid("param").keyname);
    return c.json(apiKeyView(key), 200);
  });
