// DELETE /users/{user}/webpush/subscription (Coder's coderd/webpush.go `deleteUserWebpushSubscription`): the
// body names the endpoint; 204 once removed, 404 "Webpush subscription not found." when the user has none for
// it. Served without Coder's web-push experiment gate, and not audited, as in Coder.
import type { Router } from "../../http/router.ts";
import { DeleteWebpushSubscriptionBody, removeSubscription, webpushRoute } from "./webpush.ts";

const route = webpushRoute("delete", "Delete user webpush subscription", DeleteWebpushSubscriptionBody);

export const deleteWebpushSubscription = (app: Router) =>
  app.openapi(route, async (c) => {
    const { endpoint = "" } = c.req.valid("json");
    await removeSubscription(c.env.deps.db, c.get("target").user.id, endpoint);
    return c.body(null, 204);
  });
