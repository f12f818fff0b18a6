import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../../auth/session.ts";
import { errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { UserParam, withTargetUser } from "../target.ts";
import { APPEARANCE_CONFIG_KEYS, AppearanceSchema, appearanceView } from "./appearance.ts";
import { readConfigs } from "./configs.ts";
import { requirePersonal } from "./personal.ts";

const route = createRoute({
  method: "get",
  path: "/users/{user}/appearance",
  tags: ["Users"],
  summary: "Get user appearance settings",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser(), requirePersonal("read_personal")] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: AppearanceSchema } } },
    ...errorResponses(401, 404),
  },
});

export const getAppearance = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const stored = await readConfigs(c.env.deps.db, user.id, APPEARANCE_CONFIG_KEYS);
    return c.json(appearanceView(stored), 200);
  });
