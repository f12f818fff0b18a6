// Delivering notifications. Gatehouse sends no email: it hands each notification to a webhook (a mailer,
// a queue) or, on a local server without one, to its own log. Delivery runs after the response
// (deps.defer), so neither the webhook's speed nor its failures show in the request's timing or status.
// This is the one place a notification leaves, so it is where the recipients' preferences are honoured: a
// notification a user turned off (PUT /users/{user}/notifications/preferences) is not sent to them, except
// a mandatory one (the one-time passcode), which always goes. The templates are in
// src/users/notifications/templates.ts.
import type { Config } from "../../config.ts";
import type { Db } from "../../db/index.ts";
import { logLine } from "../../http/logging.ts";
import { usersWhoDisabled } from "../notifications/queries.ts";
import { NOTIFICATION_TEMPLATES, type NotificationTemplate } from "../notifications/templates.ts";

export interface PasscodeNotice {
  email: string;
  user_id: string;
  passcode: string;
  expires_at: string;
}

export interface Recipient {
  id: string;
  email: string;
}

/** A slow receiver must not keep a Worker's waitUntil (or a Node promise) alive indefinitely. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** Notice lines carry no `time`: local tooling reads the passcode line as it is (see logLine). */
const UNTIMED = { time: false };

/**
 * Whether a notification that is not mandatory leaves at all: to the webhook or, without one, to the local
 * log. Otherwise `send` drops it, so its recipients and their preferences need not be read.
 */
export const deliversNotifications = (config: Config): boolean => Boolean(config.notificationsWebhookUrl) || config.logNotifications;

/**
 * POSTs one payload. Never rejects: a failure is logged (without the payload, which may hold a passcode).
 * Log lines carry the payload only in the local-development fallback (config.logNotifications).
 */
async function send(config: Config, template: NotificationTemplate, payload: { user_id: string } & Record<string, unknown>): Promise<void> {
  const body = { type: template.type, template_id: template.id, ...payload };
  if (config.notificationsWebhookUrl) {
    try {
      const res = await fetch(config.notificationsWebhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // The body is drained so the connection can be reused; its content is of no interest.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        logLine(
          "error",
          `notification webhook refused a ${template.noun}`,
          { type: template.type, user_id: payload.user_id, status: res.status },
          UNTIMED,
        );
      }
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : "unknown error";
      logLine("error", "notification webhook unreachable", { type: template.type, user_id: payload.user_id, error }, UNTIMED);
    }
    return;
  }
  if (config.logNotifications) {
    logLine("info", `${template.noun} (NOTIFICATIONS_WEBHOOK_URL is not set)`, body, UNTIMED);
    return;
  }
  // Only a lost passcode is worth a warning: the user is waiting for it.
  if (template.mandatory) {
    logLine("warn", `${template.noun} not delivered: NOTIFICATIONS_WEBHOOK_URL is not set`, { user_id: payload.user_id }, UNTIMED);
  }
}

/** The one-time passcode: mandatory, so no preference is read. */
export function deliverPasscode(config: Config, notice: PasscodeNotice): Promise<void> {
  return send(config, NOTIFICATION_TEMPLATES.oneTimePasscode, { ...notice });
}

/**
 * One notification to each recipient who has not turned its template off, with Coder's labels for it.
 * The preferences are read in one query, just before sending, so a change made since the event counts.
 */
export async function deliverToEach(
  config: Config,
  db: Db,
  template: NotificationTemplate,
  recipients: readonly Recipient[],
  labels: Readonly<Record<string, string>>,
): Promise<void> {
  const off = template.mandatory
    ? new Set<string>()
    : await usersWhoDisabled(
        db,
        template.id,
        recipients.map((r) => r.id),
      );
  for (const r of recipients) {
    if (!off.has(r.id)) await send(config, template, { user_id: r.id, email: r.email, labels });
  }
}
