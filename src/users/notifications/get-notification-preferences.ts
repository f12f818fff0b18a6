// GET /users/{user}/notifications/preferences (Coder's coderd/notifications.go `userNotificationPreferences`):
// the preferences the user has stored, one per template they ever toggled. A template with no row is
// enabled, so a new user's answer is empty.
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requirePreferenceAccess } from "./access.ts";
import { listPreferences } from "./queries.ts";
import { NotificationPreferencesSchema, preferencesView } from "./view.ts";

const route = defineRoute("get", "/users/{user}/notifications/preferences", "Get user notification preferences", {
  tags: ["Notifications"],
  auth: "user-target",
  middleware: [requirePreferenceAccess("read")],
  errors: [403],
  responses: ok(NotificationPreferencesSchema),
});

export const getNotificationPreferences = (app: Router) =>
  app.openapi(route, async (c) => {
    const rows = await listPreferences(c.env.deps.db, c.get("target").user.id);
    // Coder's Go slice is `null` when empty; an empty array is what its clients' types (and .reduce) expect.
    return c.json(preferencesView(rows), 200);
  });
