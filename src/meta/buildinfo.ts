import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../http/define-route.ts";
import type { Router } from "../http/router.ts";

const BuildInfo = z
  .object({
    external_url: z.string(),
    version: z.string(),
    dashboard_url: z.string(),
    telemetry: z.boolean(),
    workspace_proxy: z.boolean(),
    agent_api_version: z.string(),
    provisioner_api_version: z.string(),
    upgrade_message: z.string(),
    deployment_id: z.string(),
  })
  .openapi("BuildInfoResponse");

const route = defineRoute("get", "/buildinfo", "Build info", { tags: ["General"], auth: "public", responses: ok(BuildInfo) });

export const getBuildInfo = (app: Router) =>
  app.openapi(route, (c) => {
    const { config, tokens } = c.env.deps;
    return c.json(
      {
        external_url: config.accessUrl,
        version: config.buildVersion,
        dashboard_url: config.accessUrl,
        telemetry: false,
        workspace_proxy: false,
        agent_api_version: "",
        provisioner_api_version: "",
        upgrade_message: "",
        // Stable for a deployment: the id of its primary signing key.
        deployment_id: tokens.jwks().keys[0]?.kid ?? "",
      },
      200,
    );
  });
