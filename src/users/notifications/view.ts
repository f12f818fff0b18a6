// The serializer for notification preferences (Coder's codersdk/notifications.go `NotificationPreference`).
import { z } from "@hono/zod-openapi";
import { rfc3339 } from "../../compat/time.ts";
import type { PreferenceRow } from "./queries.ts";

const NotificationPreferenceSchema = z
  .object({
    id: z.uuid().openapi({ description: "The notification template the preference is for." }),
    disabled: z.boolean(),
    updated_at: z.string(),
  })
  .openapi("NotificationPreference");

export const NotificationPreferencesSchema = z.array(NotificationPreferenceSchema);

export const preferencesView = (rows: readonly PreferenceRow[]): z.infer<typeof NotificationPreferencesSchema> =>
  rows.map((r) => ({ id: r.notificationTemplateId, disabled: r.disabled, updated_at: rfc3339(r.updatedAt) }));
