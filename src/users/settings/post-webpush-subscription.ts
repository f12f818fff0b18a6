// POST /users/{user}/webpush/subscription (Coder's coderd/webpush.go `postUserWebpushSubscription`): 204 once
// stored. Coder serves it only with the web-push experiment on (404 otherwise) and sends a test push first;
// Gatehouse always serves it and checks the subscription's form instead (webpush.ts). Not audited, as in Coder.
import type { Router } from "../../http/router.ts";
import { checkSubscription, storeSubscription, WebpushSubscriptionBody, webpushRoute } from "./webpush.ts";

const route = webpushRoute("post", "Create user webpush subscription", WebpushSubscriptionBody);

export const postWebpushSubscription = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const subscription = await checkSubscription(c.req.valid("json"));
    await storeSubscription(db, c.get("target").user.id, subscription, now());
    return c.body(null, 204);
  });
