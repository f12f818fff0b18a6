import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../../auth/session.ts";
import { apiError, errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { decodeJsonBody, jsonBody } from "../../http/validation.ts";
import { requireMayActOnTarget, UserParam, withTargetUser } from "../target.ts";
import { writeAndRead } from "./configs.ts";
import { requirePersonal } from "./personal.ts";
import {
  invalidPreference,
  PREFERENCE_CONFIG_KEYS,
  preferencesView,
  preferenceWrites,
  PreferencesSchema,
  UpdatePreferencesBody,
} from "./preferences.ts";

const route = createRoute({
  method: "put",
  path: "/users/{user}/preferences",
  tags: ["Users"],
  summary: "Update user preference settings",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser(), requirePersonal("update_personal"), requireMayActOnTarget("change the settings of"), decodeJsonBody()] as const,
  request: { params: UserParam, ...jsonBody(UpdatePreferencesBody) },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: PreferencesSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const putPreferences = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const body = c.req.valid("json");
    const invalid = invalidPreference(body);
    if (invalid) throw apiError(400, invalid.message, undefined, [invalid.validation]);
    const stored = await writeAndRead(c.env.deps.db, user.id, preferenceWrites(body), PREFERENCE_CONFIG_KEYS);
    return c.json(preferencesView(stored), 200);
  });
