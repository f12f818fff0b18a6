// Who may read and change a user's notification preferences (Coder's rbac object notification_preference,
// owned by the user): the user and owners. User admins may not, as in Coder's coderd/database/dbauthz tests
// ("NotificationPreferencesOwn"). Coder lets the database refuse and answers 500; a 403 says the same
// without looking broken. A caller who cannot see the user at all got a 404 from the target lookup already.
import type { MiddlewareHandler } from "hono";
import type { TargetEnv } from "../../deps.ts";
import { forbidden } from "../../http/errors.ts";
import { requireOnTarget } from "../target.ts";

export const requirePreferenceAccess = (action: "read" | "update"): MiddlewareHandler<TargetEnv> =>
  requireOnTarget("notification_preference", action, forbidden);
