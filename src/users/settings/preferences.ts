// Preference settings (Coder's coderd/users.go `userPreferenceSettings`): stored keys, allowed values,
// defaults, and the read-side sanitising that keeps a stray stored value from reaching clients.
import { z } from "@hono/zod-openapi";
import { apiError } from "../../http/errors.ts";
import type { SettingsDocument } from "./document.ts";

export const THINKING_DISPLAY_MODES = ["auto", "preview", "always_expanded", "always_collapsed"] as const;
export const AGENT_DISPLAY_MODES = ["auto", "always_expanded", "always_collapsed"] as const;
export const AGENT_CHAT_SEND_SHORTCUTS = ["enter", "modifier_enter"] as const;

/** Every enumerated field: its user_configs key (named like the JSON field), values and error message. */
const ENUM_FIELDS = [
  { field: "thinking_display_mode", values: THINKING_DISPLAY_MODES, message: "Invalid thinking display mode." },
  { field: "code_diff_display_mode", values: AGENT_DISPLAY_MODES, message: "Invalid code diff display mode." },
  { field: "agent_chat_send_shortcut", values: AGENT_CHAT_SEND_SHORTCUTS, message: "Invalid agent chat send shortcut." },
] as const;

type EnumField = (typeof ENUM_FIELDS)[number]["field"];
const ALERT_KEY = "task_notification_alert_dismissed";

export const PREFERENCE_CONFIG_KEYS: readonly string[] = [ALERT_KEY, ...ENUM_FIELDS.map((f) => f.field)];

export const PreferencesSchema = z
  .object({
    task_notification_alert_dismissed: z.boolean(),
    thinking_display_mode: z.enum(THINKING_DISPLAY_MODES),
    code_diff_display_mode: z.union([z.enum(AGENT_DISPLAY_MODES), z.literal("")]),
    agent_chat_send_shortcut: z.enum(AGENT_CHAT_SEND_SHORTCUTS),
  })
  .openapi("UserPreferenceSettings");

export type PreferencesView = z.infer<typeof PreferencesSchema>;

export const UpdatePreferencesBody = z
  .object({
    // null and omitted both mean "unchanged".
    task_notification_alert_dismissed: z.boolean().nullable().optional(),
    // Empty strings mean "unchanged"; values are checked by refuseInvalidPreference for Coder's messages.
    thinking_display_mode: z.string().optional(),
    code_diff_display_mode: z.string().optional(),
    agent_chat_send_shortcut: z.string().optional(),
  })
  .openapi("UpdateUserPreferenceSettingsRequest");

export type UpdatePreferences = z.infer<typeof UpdatePreferencesBody>;

/** Refuses the first invalid field, as Coder reports it: one message and exactly one validation. */
function refuseInvalidPreference(body: UpdatePreferences): void {
  for (const f of ENUM_FIELDS) {
    const value = body[f.field as EnumField] ?? "";
    if (value !== "" && !(f.values as readonly string[]).includes(value)) {
      throw apiError(400, f.message, undefined, [{ field: f.field, detail: `must be one of: ${f.values.join(", ")}` }]);
    }
  }
}

/** The keys a PUT writes: only the fields that were sent with a value. */
export function preferenceWrites(body: UpdatePreferences): Map<string, string> {
  const writes = new Map<string, string>();
  const alert = body.task_notification_alert_dismissed;
  if (alert !== undefined && alert !== null) writes.set(ALERT_KEY, String(alert));
  for (const f of ENUM_FIELDS) {
    const value = body[f.field as EnumField];
    if (value) writes.set(f.field, value);
  }
  return writes;
}

function sanitize<T extends string>(stored: string | undefined, values: readonly T[], fallback: T): T {
  return stored !== undefined && (values as readonly string[]).includes(stored) ? (stored as T) : fallback;
}

export function preferencesView(stored: ReadonlyMap<string, string>): PreferencesView {
  return {
    task_notification_alert_dismissed: stored.get(ALERT_KEY) === "true",
    thinking_display_mode: sanitize(stored.get("thinking_display_mode"), THINKING_DISPLAY_MODES, "auto"),
    code_diff_display_mode: sanitize<(typeof AGENT_DISPLAY_MODES)[number] | "">(
      stored.get("code_diff_display_mode"),
      AGENT_DISPLAY_MODES,
      "",
    ),
    agent_chat_send_shortcut: sanitize(stored.get("agent_chat_send_shortcut"), AGENT_CHAT_SEND_SHORTCUTS, "enter"),
  };
}

/** GET and PUT /users/{user}/preferences, mounted by document.ts. */
export const preferencesDocument: SettingsDocument<typeof PreferencesSchema, typeof UpdatePreferencesBody> = {
  path: "preferences",
  noun: "preference",
  schema: PreferencesSchema,
  body: UpdatePreferencesBody,
  keys: PREFERENCE_CONFIG_KEYS,
  view: preferencesView,
  check: refuseInvalidPreference,
  writes: preferenceWrites,
};
