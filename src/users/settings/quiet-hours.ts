// A user's quiet hours (Coder's enterprise/coderd/users.go `userQuietHoursSchedule`, enterprise/coderd/schedule/
// user.go): the daily time from which the build service may stop or restart the user's workspaces. Stored in
// users.quiet_hours_schedule, empty meaning "the deployment's default"; the build service reads the column.
import { z } from "@hono/zod-openapi";
import { nextStart, parseDaily, rfc3339InZone, startTime, type DailySchedule } from "../../compat/daily-cron.ts";
import type { Config } from "../../config.ts";
import { apiError } from "../../http/errors.ts";

export const QuietHoursSchema = z
  .object({
    raw_schedule: z.string().openapi({ example: "CRON_TZ=Europe/Paris 30 2 * * *" }),
    /** False: the deployment's default applies. */
    user_set: z.boolean(),
    /** False: the deployment pins every user to its default. */
    user_can_set: z.boolean(),
    /** The start, HH:MM (24-hour), in `timezone`. */
    time: z.string().openapi({ example: "02:30" }),
    timezone: z.string().openapi({ example: "Europe/Paris" }),
    /** The next start, RFC 3339 in `timezone`. */
    next: z.string().openapi({ format: "date-time" }),
  })
  .openapi("UserQuietHoursScheduleResponse");

export type QuietHoursView = z.infer<typeof QuietHoursSchema>;

type QuietHoursConfig = Config["quietHours"];

/**
 * The schedule in force for a stored value: the user's own when they may have one and have set one, else the
 * default. A stored value that no longer parses (written by an older version or by hand) falls back to the
 * default rather than failing every read; Coder would answer 500.
 */
function effective(config: QuietHoursConfig, stored: string): { schedule: DailySchedule; userSet: boolean } {
  if (config.allowUserCustom && stored.trim() !== "") {
    const parsed = parseDaily(stored);
    if (parsed.ok) return { schedule: parsed.schedule, userSet: true };
  }
  return { schedule: config.defaultSchedule, userSet: false };
}

export function quietHoursView(config: QuietHoursConfig, stored: string, now: Date): QuietHoursView {
  const { schedule, userSet } = effective(config, stored);
  const next = nextStart(schedule, now);
  return {
    raw_schedule: schedule.raw,
    user_set: userSet,
    user_can_set: config.allowUserCustom,
    time: startTime(schedule),
    timezone: schedule.timezone,
    next: rfc3339InZone(next.at, next.offsetMinutes),
  };
}

/**
 * The value to store for a requested schedule (Coder's `Set`): blank resets to the default (stored empty),
 * anything else must be a daily schedule with one time and is stored in its tidy form.
 */
export function scheduleToStore(config: QuietHoursConfig, requested: string): string {
  if (!config.allowUserCustom) {
    throw apiError(403, "Users cannot set custom quiet hours schedule due to deployment configuration.");
  }
  if (requested.trim() === "") return "";
  const parsed = parseDaily(requested);
  // Coder answers 500 here; a malformed schedule is the client's error, so Gatehouse answers 400.
  if (!parsed.ok) {
    throw apiError(400, "Invalid quiet hours schedule.", parsed.error, [{ field: "schedule", detail: parsed.error }]);
  }
  return parsed.schedule.raw;
}
