// GET /users/oauth2/github/device (Coder's coderd/userauth.go): starts a GitHub device authorization. The
// dashboard shows the user code, the user approves it on GitHub, and the dashboard then polls the
// callback with the device code as `code`.
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../http/define-route.ts";
import { apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { authorizeDevice, githubEndpoints } from "./github.ts";

const ExternalAuthDevice = z
  .object({
    device_code: z.string(),
    user_code: z.string(),
    verification_uri: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int(),
  })
  .openapi("ExternalAuthDevice");

const route = defineRoute("get", "/users/oauth2/github/device", "Get Github device auth", {
  auth: "public",
  errors: [400, 500],
  responses: ok(ExternalAuthDevice),
});

export const getGithubDevice = (app: Router) =>
  app.openapi(route, async (c) => {
    const cfg = c.env.deps.config.github;
    if (!cfg) throw apiError(400, "Github OAuth2 is not enabled.");
    if (!cfg.deviceFlow) throw apiError(400, "Device flow is not enabled for Github OAuth2.");
    return c.json(await authorizeDevice(cfg, githubEndpoints(cfg)), 200);
  });
