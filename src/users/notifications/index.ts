import type { Router } from "../../http/router.ts";
import { getNotificationPreferences } from "./get-notification-preferences.ts";
import { putNotificationPreferences } from "./put-notification-preferences.ts";

/** /users/{user}/notifications/preferences: GET and PUT. */
export function mountNotifications(app: Router): void {
  getNotificationPreferences(app);
  putNotificationPreferences(app);
}
