import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../../auth/session.ts";
import { errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { UserParam, withTargetUser } from "../target.ts";
import { readConfigs } from "./configs.ts";
import { requirePersonal } from "./personal.ts";
import { PREFERENCE_CONFIG_KEYS, PreferencesSchema, preferencesView } from "./preferences.ts";

const route = createRoute({
  method: "get",
  path: "/users/{user}/preferences",
  tags: ["Users"],
  summary: "Get user preference settings",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser(), requirePersonal("read_personal")] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: PreferencesSchema } } },
    ...errorResponses(401, 404),
  },
});

export const getPreferences = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const stored = await readConfigs(c.env.deps.db, user.id, PREFERENCE_CONFIG_KEYS);
    return c.json(preferencesView(stored), 200);
  });
