// PUT /users/{user}/notifications/preferences (Coder's coderd/notifications.go
// `putUserNotificationPreferences`): turns notifications on or off per template, then answers every
// preference the user has stored. Coder does not audit it (no audit.InitRequest), nor does Gatehouse.
// Refused before anything is written, in this order: a key that is not a UUID (Coder's message and Go's
// parse error), a template Gatehouse does not send (Coder's foreign key answers 500 there), and turning off
// the one-time passcode, which a user who forgot their password cannot do without.
import { z } from "@hono/zod-openapi";
import { parseUuid } from "../../compat/go-parse.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requirePreferenceAccess } from "./access.ts";
import { listPreferences, upsertPreferences } from "./queries.ts";
import { templateById } from "./templates.ts";
import { NotificationPreferencesSchema, preferencesView } from "./view.ts";

const Body = z
  .object({
    // Go decodes a missing or null map as empty: nothing changes and the stored list is answered.
    template_disabled_map: z.record(z.string(), z.boolean()).nullable().optional(),
  })
  .openapi("UpdateUserNotificationPreferences");

const route = defineRoute("put", "/users/{user}/notifications/preferences", "Update user notification preferences", {
  tags: ["Notifications"],
  auth: "user-target",
  body: Body,
  middleware: [requirePreferenceAccess("update")],
  errors: [403],
  responses: ok(NotificationPreferencesSchema),
});

/** The body's entries keyed by canonical template id, or Coder's 400 for the first bad key. */
function readEntries(map: Readonly<Record<string, boolean>>): Map<string, boolean> {
  const entries = new Map<string, boolean>();
  for (const [key, disabled] of Object.entries(map)) {
    const parsed = parseUuid(key);
    if ("error" in parsed) throw apiError(400, "Unable to parse notification template UUID.", parsed.error);
    entries.set(parsed.id, disabled);
  }
  for (const [id, disabled] of entries) {
    const template = templateById(id);
    if (!template) throw apiError(400, "Unknown notification template.", `Gatehouse sends no notification with template ID "${id}".`);
    if (template.mandatory && disabled) {
      throw apiError(
        400,
        `The "${template.name}" notification cannot be disabled.`,
        "It carries the passcode that resets a forgotten password.",
      );
    }
  }
  return entries;
}

export const putNotificationPreferences = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const userId = c.get("target").user.id;
    const entries = readEntries(c.req.valid("json").template_disabled_map ?? {});
    const rows = await db.transaction(async (tx) => {
      await upsertPreferences(tx, userId, entries, now());
      return listPreferences(tx, userId);
    });
    return c.json(preferencesView(rows), 200);
  });
