// GET /users/{user}/quiet-hours (Coder's enterprise/coderd/users.go `userQuietHoursSchedule`). Coder serves it
// only with an Enterprise licence (403 otherwise); Gatehouse has no licences and always serves it.
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requirePersonal } from "../target.ts";
import { QuietHoursSchema, quietHoursView } from "./quiet-hours.ts";

const route = defineRoute("get", "/users/{user}/quiet-hours", "Get user quiet hours schedule", {
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  responses: ok(QuietHoursSchema),
});

export const getQuietHours = (app: Router) =>
  app.openapi(route, async (c) => {
    const { config, now } = c.env.deps;
    return c.json(quietHoursView(config.quietHours, c.get("target").user.quietHoursSchedule, now()), 200);
  });
