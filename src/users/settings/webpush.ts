// A user's Web Push subscriptions (Coder's coderd/webpush.go; codersdk.WebpushSubscription): what a browser's
// PushManager handed out, stored for the service that sends pushes. Coder checks a new subscription by sending
// it a test push; Gatehouse sends none, so it checks what a push would need instead: an https endpoint, the
// P-256 public key (RFC 8291 `p256dh`) and the 16-byte auth secret, in base64 with or without padding, URL-safe
// or not (as webpush-go decodes them).
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/index.ts";
import { webpushSubscriptions as subs } from "../../db/schema.ts";
import { defineRoute, noContent } from "../../http/define-route.ts";
import { apiError, type Validation } from "../../http/errors.ts";
import { requireOnTarget } from "../target.ts";

/** Browsers' endpoints are a few hundred characters; the cap keeps a row from being a storage sink. */
const MAX_ENDPOINT = 2048;

// Go decodes missing fields as "": optional here, checked below with a message per field.
export const WebpushSubscriptionBody = z
  .object({ endpoint: z.string().optional(), auth_key: z.string().optional(), p256dh_key: z.string().optional() })
  .openapi("WebpushSubscription");

export const DeleteWebpushSubscriptionBody = z.object({ endpoint: z.string().optional() }).openapi("DeleteWebpushSubscription");

/**
 * The two routes of /users/{user}/webpush/subscription, 204 once done. Coder's member role manages its own
 * subscriptions, owners anyone's; a denial looks like a missing user.
 */
export const webpushRoute = <B extends z.ZodType>(method: "post" | "delete", summary: string, body: B) =>
  defineRoute(method, "/users/{user}/webpush/subscription", summary, {
    tags: ["Notifications"],
    auth: "user-target",
    body,
    middleware: [requireOnTarget("webpush_subscription", method === "post" ? "create" : "delete")],
    responses: noContent(),
  });

/** Standard or URL-safe base64, padded or not; undefined when it is neither. */
function decodeKey(value: string): Uint8Array | undefined {
  const std = value.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) return undefined;
  const bin = atob(`${std}${"=".repeat((4 - (std.length % 4)) % 4)}`);
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

async function onP256(point: Uint8Array): Promise<boolean> {
  if (point.length !== 65 || point[0] !== 4) return false;
  try {
    await crypto.subtle.importKey("raw", point, { name: "ECDH", namedCurve: "P-256" }, false, []);
    return true;
  } catch {
    return false;
  }
}

function httpsUrl(value: string): boolean {
  if (value.length > MAX_ENDPOINT) return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

export interface Subscription {
  endpoint: string;
  authKey: string;
  p256dhKey: string;
}

/** The subscription as stored, or Coder's error body listing each field that would make a push fail. */
export async function checkSubscription(body: z.infer<typeof WebpushSubscriptionBody>): Promise<Subscription> {
  const { endpoint = "", auth_key: authKey = "", p256dh_key: p256dhKey = "" } = body;
  const problems: Validation[] = [];
  if (!httpsUrl(endpoint)) {
    problems.push({ field: "endpoint", detail: `must be an https:// URL of at most ${MAX_ENDPOINT} characters` });
  }
  const auth = decodeKey(authKey);
  if (auth?.length !== 16) problems.push({ field: "auth_key", detail: "must be 16 bytes in base64" });
  const p256dh = decodeKey(p256dhKey);
  if (!p256dh || !(await onP256(p256dh))) {
    problems.push({ field: "p256dh_key", detail: "must be an uncompressed P-256 public key (65 bytes) in base64" });
  }
  if (problems.length > 0) {
    throw apiError(400, "Invalid webpush subscription.", problems.map((p) => `${p.field} ${p.detail}`).join("; "), problems);
  }
  return { endpoint, authKey, p256dhKey };
}

/**
 * Stores a subscription. A browser that subscribes again with the same endpoint replaces its row (new keys
 * after a key rotation) instead of adding a second one the sender would push to twice.
 */
export function storeSubscription(db: Db, userId: string, s: Subscription, now: Date): Promise<void> {
  return db.transaction(async (tx: Tx) => {
    await tx.delete(subs).where(and(eq(subs.userId, userId), eq(subs.endpoint, s.endpoint)));
    await tx
      .insert(subs)
      .values({ userId, endpoint: s.endpoint, endpointAuthKey: s.authKey, endpointP256dhKey: s.p256dhKey, createdAt: now });
  });
}

/** Removes the user's subscriptions to `endpoint`; Coder's 404 when there were none. */
export async function removeSubscription(db: Db, userId: string, endpoint: string): Promise<void> {
  const removed = await db
    .delete(subs)
    .where(and(eq(subs.userId, userId), eq(subs.endpoint, endpoint)))
    .returning({ id: subs.id });
  if (removed.length === 0) throw apiError(404, "Webpush subscription not found.");
}
