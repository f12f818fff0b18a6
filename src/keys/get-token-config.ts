// GET /users/{user}/keys/tokens/tokenconfig (Coder's coderd/apikey.go `tokenConfig`): the longest lifetime `{user}` may
// give a token, in nanoseconds. The default (876600h) is beyond what a JavaScript number holds exactly,
// so the body is written by hand with the BigInt's digits instead of through c.json's JSON.stringify.
import { z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";
import { maxTokenLifetimeNs, tokenConfigJson } from "./lifetime.ts";

const TokenConfig = z
  .object({ max_token_lifetime: z.number().int().openapi({ format: "int64", description: "Nanoseconds" }) })
  .openapi("TokenConfig");

const route = defineRoute("get", "/users/{user}/keys/tokens/tokenconfig", "Get token config", {
  tags: ["General"],
  auth: "user-target",
  responses: ok(TokenConfig),
});

export const getTokenConfig = (app: Router) =>
  app.openapi(route, (c) => {
    const body = tokenConfigJson(maxTokenLifetimeNs(c.env.deps.config, c.get("target").user));
    // The text is the JSON the schema describes; only its integer is too large for the typed c.json path.
    const res = c.body(body, 200, { "Content-Type": "application/json; charset=UTF-8" });
    return res as unknown as TypedResponse<z.infer<typeof TokenConfig>, 200, "json">;
  });
