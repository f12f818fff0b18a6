// The environment, read once and validated: a bad environment fails loudly at start-up, never mid-request.
// Names follow Coder's own variables where Coder has one, so an existing configuration carries over.
import { z } from "zod";

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Parses a Go duration ("24h", "1h30m", "90s") into milliseconds. */
export function parseGoDuration(input: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return input.length > 0 && matched === input.length ? total : undefined;
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseGoDuration(v.trim());
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: "custom", message: `must be a positive duration such as "24h" (got "${v}")` });
        return z.NEVER;
      }
      return ms;
    });

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .default("false")
  .transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default(".data"),
  DATABASE_URL: z.string().url().optional(),
  /** JSON array of private JWKs (Ed25519). The first signs; all verify. */
  SIGNING_KEYS: z.string().optional(),
  /** The public URL; tokens carry it as `iss` and `aud`. */
  CODER_ACCESS_URL: z.string().url().optional(),
  CODER_SESSION_DURATION: duration("24h"),
  CODER_DEFAULT_TOKEN_LIFETIME: duration("168h"),
  CODER_MAX_TOKEN_LIFETIME: duration("876600h"),
  CODER_MAX_ADMIN_TOKEN_LIFETIME: duration("168h"),
  CODER_DISABLE_SESSION_EXPIRY_REFRESH: bool,
  CODER_DISABLE_PASSWORD_AUTH: bool,
  /**
   * The longest a token stays cryptographically valid after it is issued. Sliding expiry extends a key's
   * row up to this horizon (or the key's own lifetime, if longer); past it the token is refused without
   * a database query and the user signs in again.
   */
  TOKEN_MAX_AGE: duration("720h"),
  /** Reported by /buildinfo and X-Coder-Build-Version; Coder clients compare it with their own version. */
  BUILD_VERSION: z.string().default("v2.29.0+gatehouse.0.1.0"),
  /**
   * Where notifications go (one-time passcodes for password resets): each is POSTed there as JSON.
   * Gatehouse sends no email itself; the receiver (a mailer, a queue) does.
   */
  NOTIFICATIONS_WEBHOOK_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL")
    .optional(),
  /** How long a one-time passcode stays usable (Coder's default: 20 minutes). */
  OTP_VALIDITY: duration("20m"),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  signingKeys: string | undefined;
  accessUrl: string;
  secureCookies: boolean;
  sessionDurationMs: number;
  defaultTokenLifetimeMs: number;
  maxTokenLifetimeMs: number;
  maxAdminTokenLifetimeMs: number;
  disableSessionExpiryRefresh: boolean;
  disablePasswordAuth: boolean;
  tokenMaxAgeMs: number;
  buildVersion: string;
  notificationsWebhookUrl: string | undefined;
  otpValidityMs: number;
  /**
   * With no webhook, a local server (loopback access URL) writes notifications to its log so a developer
   * can still reset a password. Anywhere else they would put secrets in production logs, so they are dropped.
   */
  logNotifications: boolean;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Env): Config {
  // Empty strings mean "unset" (a blank line in .dev.vars or an exported empty variable).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const accessUrl = (e.CODER_ACCESS_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, "");
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    signingKeys: e.SIGNING_KEYS,
    accessUrl,
    secureCookies: accessUrl.startsWith("https://"),
    sessionDurationMs: e.CODER_SESSION_DURATION,
    defaultTokenLifetimeMs: e.CODER_DEFAULT_TOKEN_LIFETIME,
    maxTokenLifetimeMs: e.CODER_MAX_TOKEN_LIFETIME,
    maxAdminTokenLifetimeMs: e.CODER_MAX_ADMIN_TOKEN_LIFETIME,
    disableSessionExpiryRefresh: e.CODER_DISABLE_SESSION_EXPIRY_REFRESH,
    disablePasswordAuth: e.CODER_DISABLE_PASSWORD_AUTH,
    tokenMaxAgeMs: e.TOKEN_MAX_AGE,
    buildVersion: e.BUILD_VERSION,
    notificationsWebhookUrl: e.NOTIFICATIONS_WEBHOOK_URL,
    otpValidityMs: e.OTP_VALIDITY,
    logNotifications: !e.NOTIFICATIONS_WEBHOOK_URL && LOOPBACK_HOST.test(new URL(accessUrl).hostname),
  };
}
