import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const AuthMethods = z
  .object({
    terms_of_service_url: z.string().optional(),
    password: z.object({ enabled: z.boolean() }),
    github: z.object({ enabled: z.boolean(), default_provider_configured: z.boolean() }),
    oidc: z.object({ enabled: z.boolean(), signInText: z.string(), iconUrl: z.string() }),
  })
  .openapi("AuthMethods");

const route = defineRoute("get", "/users/authmethods", "Get authentication methods", { auth: "public", responses: ok(AuthMethods) });

export const getAuthMethods = (app: Router) =>
  app.openapi(route, (c) => {
    const { config } = c.env.deps;
    // Exactly what is configured. Gatehouse has no Coder-hosted default GitHub app, so
    // `default_provider_configured` is always false.
    return c.json(
      {
        password: { enabled: !config.disablePasswordAuth },
        github: { enabled: config.github !== undefined, default_provider_configured: false },
        oidc: { enabled: config.oidc !== undefined, signInText: config.oidc?.signInText ?? "", iconUrl: config.oidc?.iconUrl ?? "" },
      },
      200,
    );
  });
