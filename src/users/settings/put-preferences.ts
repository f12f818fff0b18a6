import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requireMayActOnTarget } from "../target.ts";
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

const route = defineRoute("put", "/users/{user}/preferences", "Update user preference settings", {
  auth: "user-target",
  body: UpdatePreferencesBody,
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the settings of")],
  errors: [403],
  responses: ok(PreferencesSchema),
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
