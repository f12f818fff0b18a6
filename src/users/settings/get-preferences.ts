import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { readConfigs } from "./configs.ts";
import { requirePersonal } from "./personal.ts";
import { PREFERENCE_CONFIG_KEYS, PreferencesSchema, preferencesView } from "./preferences.ts";

const route = defineRoute("get", "/users/{user}/preferences", "Get user preference settings", {
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  responses: ok(PreferencesSchema),
});

export const getPreferences = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const stored = await readConfigs(c.env.deps.db, user.id, PREFERENCE_CONFIG_KEYS);
    return c.json(preferencesView(stored), 200);
  });
