// GET /api/v2/auth/scopes: the public scope catalogue, every name a token may be created with. No
// authentication: a client shows it before it has a token.
import { z } from "@hono/zod-openapi";
import { SCOPE_CATALOGUE } from "../auth/scopes.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const ExternalScopes = z.object({ external: z.array(z.string()) }).openapi("ExternalAPIKeyScopes");

const route = defineRoute("get", "/auth/scopes", "List API key scopes", {
  tags: ["Authorization"],
  auth: "public",
  responses: ok(ExternalScopes),
});

const EXTERNAL = SCOPE_CATALOGUE.map((s) => s.name);

export const getScopes = (app: Router) =>
  app.openapi(route, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ external: EXTERNAL }, 200);
  });
