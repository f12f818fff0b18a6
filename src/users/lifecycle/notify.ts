// Delivering a one-time passcode. Gatehouse sends no email: it hands the passcode to a webhook (a mailer,
// a queue) or, on a local server without one, to its own log. Delivery runs after the response
// (deps.defer), so neither the webhook's speed nor its failures show in the request's timing or status.
import type { Config } from "../../config.ts";
import { logLine } from "../../http/logging.ts";

export interface PasscodeNotice {
  type: "one_time_passcode";
  email: string;
  user_id: string;
  passcode: string;
  expires_at: string;
}

/** A slow receiver must not keep a Worker's waitUntil (or a Node promise) alive indefinitely. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** Notice lines carry no `time`: local tooling reads the passcode line as it is (see logLine). */
const UNTIMED = { time: false };

/**
 * Never rejects: a failure is logged (without the passcode) and the user can ask for a new passcode.
 * Log lines carry the passcode only in the local-development fallback (config.logNotifications).
 */
export async function deliverPasscode(config: Config, notice: PasscodeNotice): Promise<void> {
  if (config.notificationsWebhookUrl) {
    try {
      const res = await fetch(config.notificationsWebhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // The body is drained so the connection can be reused; its content is of no interest.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        logLine("error", "notification webhook refused a one-time passcode", { user_id: notice.user_id, status: res.status }, UNTIMED);
      }
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : "unknown error";
      logLine("error", "notification webhook unreachable", { user_id: notice.user_id, error }, UNTIMED);
    }
    return;
  }
  if (config.logNotifications) {
    logLine("info", "one-time passcode (NOTIFICATIONS_WEBHOOK_URL is not set)", { ...notice }, UNTIMED);
    return;
  }
  logLine("warn", "one-time passcode not delivered: NOTIFICATIONS_WEBHOOK_URL is not set", { user_id: notice.user_id }, UNTIMED);
}
