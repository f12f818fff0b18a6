// PUT /users/{user}/quiet-hours (Coder's enterprise/coderd/users.go `putUserQuietHoursSchedule`, with the
// rules of enterprise/coderd/schedule/user.go `Set`): audited as a write to the user, as Coder does.
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requiredString } from "../../http/validation.ts";
import { updateUser } from "../queries.ts";
import { requireMayActOnTarget, requirePersonal } from "../target.ts";
import { QuietHoursSchema, quietHoursView, scheduleToStore } from "./quiet-hours.ts";

// Coder tags the field `required`, so "" is refused; a blank one (spaces) resets to the default.
const Body = z.object({ schedule: requiredString() }).openapi("UpdateUserQuietHoursScheduleRequest");

const route = defineRoute("put", "/users/{user}/quiet-hours", "Update user quiet hours schedule", {
  auth: "user-target",
  body: Body,
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the quiet hours of")],
  errors: [400, 403],
  responses: ok(QuietHoursSchema),
});

export const putQuietHours = (app: Router) =>
  app.openapi(route, async (c) => {
    const { config, db, now } = c.env.deps;
    const { schedule } = c.req.valid("json");
    const stored = scheduleToStore(config.quietHours, schedule);
    // Coder's UpdateUserQuietHoursSchedule: the column only (updated_at is the profile's).
    await updateUser(db, c.get("target").user.id, { quietHoursSchedule: stored });
    return c.json(quietHoursView(config.quietHours, stored, now()), 200);
  });
