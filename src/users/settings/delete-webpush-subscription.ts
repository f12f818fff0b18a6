// DELETE /users/{user}/webpush/subscription (Coder's coderd/webpush.go `deleteUserWebpushSubscription`): the
// body names the endpoint; 204 once removed, 404 "Webpush subscription not found." when the user has none for
// it. Served without Coder's web-push experiment gate, and not audited, as in Coder.
import { defineRoute, noContent } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requireOnTarget } from "../target.ts";
import { DeleteWebpushSubscriptionBody, removeSubscription } from "./webpush.ts";

const route = defineRoute("delete", "/users/{user}/webpush/subscription", "Delete user webpush subscription", {
  tags: ["Notifications"],
  auth: "user-target",
  body: DeleteWebpushSubscriptionBody,
  // Coder's member role manages its own subscriptions, owners anyone's; a denial looks like a missing user.
  middleware: [requireOnTarget("webpush_subscription", "delete")],
  responses: noContent(),
});

export const deleteWebpushSubscription = (app: Router) =>
  app.openapi(route, async (c) => {
    const { endpoint = "" } = c.req.valid("json");
    await removeSubscription(c.env.deps.db, c.get("target").user.id, endpoint);
    return c.body(null, 204);
  });
