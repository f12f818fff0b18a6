import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requireMayActOnTarget } from "../target.ts";
import {
  APPEARANCE_CONFIG_KEYS,
  AppearanceSchema,
  appearanceView,
  appearanceWrites,
  TERMINAL_FONTS,
  UpdateAppearanceBody,
} from "./appearance.ts";
import { writeAndRead } from "./configs.ts";
import { requirePersonal } from "./personal.ts";

const route = defineRoute("put", "/users/{user}/appearance", "Update user appearance settings", {
  auth: "user-target",
  body: UpdateAppearanceBody,
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the settings of")],
  errors: [403],
  responses: ok(AppearanceSchema),
});

export const putAppearance = (app: Router) =>
  app.openapi(route, async (c) => {
    const { user } = c.get("target");
    const body = c.req.valid("json");
    // Coder answers an empty or unknown font with this message alone (no validations entry).
    if (!(TERMINAL_FONTS as readonly string[]).includes(body.terminal_font ?? "")) {
      throw apiError(400, "Unsupported font family.");
    }
    const stored = await writeAndRead(c.env.deps.db, user.id, appearanceWrites(body), APPEARANCE_CONFIG_KEYS);
    return c.json(appearanceView(stored), 200);
  });
