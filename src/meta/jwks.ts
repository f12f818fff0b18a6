import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const Jwks = z
  .object({
    keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.string() })),
  })
  .openapi("JWKS");

const route = defineRoute("get", "/.well-known/jwks.json", "Public keys that verify Gatehouse tokens", {
  tags: ["General"],
  auth: "public",
  responses: ok(Jwks),
});

export const getJwks = (app: Router) =>
  app.openapi(route, (c) => {
    // Verifiers may cache briefly; rotation adds the new key here before it starts signing.
    c.header("Cache-Control", "public, max-age=300");
    return c.json(c.env.deps.tokens.jwks() as z.infer<typeof Jwks>, 200);
  });
