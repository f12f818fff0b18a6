import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { APPEARANCE_CONFIG_KEYS, AppearanceSchema, appearanceView } from "./appearance.ts";
import { readConfigs } from "./configs.ts";
import { requirePersonal } from "./personal.ts";

const route = defineRoute("get", "/users/{user}/appearance", "Get user appearance settings", {
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  responses: ok(AppearanceSchema),
});

export const getAppearance = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const stored = await readConfigs(c.env.deps.db, user.id, APPEARANCE_CONFIG_KEYS);
    return c.json(appearanceView(stored), 200);
  });
