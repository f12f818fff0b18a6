// The environment, read once and validated: a bad environment fails loudly at start-up, never mid-request.
// Names follow Coder's own variables where Coder has one, so an existing configuration carries over.
import { z } from "zod";
import { parseDaily, type DailySchedule } from "./compat/daily-cron.ts";
import { nsToMs, parseGoDuration } from "./compat/duration.ts";
import { githubConfig, oidcConfig, type GithubConfig, type OidcConfig } from "./oauth/config.ts";
import { parseTrustedProxies, type TrustedProxies } from "./security/client-ip.ts";

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ns = parseGoDuration(v.trim());
      if (ns === undefined || ns <= 0n) {
        ctx.addIssue({ code: "custom", message: `must be a positive duration such as "24h" (got "${v}")` });
        return z.NEVER;
      }
      // Milliseconds, as Date arithmetic wants them; a sub-millisecond part stays as a fraction.
      return nsToMs(ns);
    });

const flag = (fallback: "true" | "false") =>
  z
    .enum(["true", "false", "1", "0", ""])
    .default(fallback)
    .transform((v) => v === "true" || v === "1");
const bool = flag("false");

/** A comma-separated list, as Coder reads its list flags from the environment. */
const list = (fallback = "") =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

const httpUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL");

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
   * Where notifications go (passcodes; accounts created, deleted, suspended, activated): each is POSTed there as JSON.
   * Gatehouse sends no email itself; the receiver (a mailer, a queue) does.
   */
  NOTIFICATIONS_WEBHOOK_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL")
    .optional(),
  /** How long a one-time passcode stays usable (Coder's default: 20 minutes). */
  OTP_VALIDITY: duration("20m"),
  /**
   * Names this instance when several tenants share one access URL or one verifier: tokens then carry it as
   * `aud`, so a token issued for one tenant is refused by every other, whatever keys they hold.
   */
  TENANT_ID: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, "must be 1-128 printable ASCII characters without spaces")
    .optional(),
  /** One JSON line per request on stdout (docs/deploying.md, Observability). Off by default so tests stay quiet. */
  LOG_REQUESTS: bool,
  /**
   * Turns the login rate limits off (docs/reliability.md), as Coder's
   * --dangerous-disable-rate-limits does; CODER_DANGEROUS_DISABLE_RATE_LIMITS is read too.
   */
  DISABLE_RATE_LIMITS: bool,
  CODER_DANGEROUS_DISABLE_RATE_LIMITS: bool,
  /** Requests per client IP per login-group route per window (Coder's login limit: 60 a minute). */
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /** Requests naming one account per login-group route per window, from any number of IPs. */
  LOGIN_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  LOGIN_RATE_LIMIT_WINDOW: duration("1m"),
  /**
   * Reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For names the client; empty:
   * the connecting address is the client. Node only: on Workers the client is CF-Connecting-IP.
   */
  TRUSTED_PROXIES: list(),
  /**
   * Coder's general API limit: requests per minute per user (else per IP) per endpoint, on each instance;
   * 0 or less turns it off. CODER_API_RATE_LIMIT (Coder's name) is read too.
   */
  API_RATE_LIMIT: z.coerce.number().int().min(-1).max(1_000_000_000).optional(),
  CODER_API_RATE_LIMIT: z.coerce.number().int().min(-1).max(1_000_000_000).optional(),
  // Sign in with GitHub (docs/oauth.md). Configured when the client id is set.
  CODER_OAUTH2_GITHUB_CLIENT_ID: z.string().optional(),
  CODER_OAUTH2_GITHUB_CLIENT_SECRET: z.string().optional(),
  CODER_OAUTH2_GITHUB_ALLOWED_ORGS: list(),
  /** `<organization>/<team>` entries. */
  CODER_OAUTH2_GITHUB_ALLOWED_TEAMS: list(),
  CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: bool,
  CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: bool,
  CODER_OAUTH2_GITHUB_DEVICE_FLOW: bool,
  /** GitHub Enterprise Server (or a test server): OAuth under /login/oauth, REST under /api/v3. */
  CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL: httpUrl.optional(),
  // Sign in with OpenID Connect. Configured when the issuer URL is set.
  CODER_OIDC_ISSUER_URL: httpUrl.optional(),
  CODER_OIDC_CLIENT_ID: z.string().optional(),
  CODER_OIDC_CLIENT_SECRET: z.string().optional(),
  CODER_OIDC_SCOPES: list("openid,profile,email"),
  CODER_OIDC_EMAIL_DOMAIN: list(),
  CODER_OIDC_IGNORE_EMAIL_VERIFIED: bool,
  CODER_OIDC_IGNORE_USERINFO: bool,
  CODER_OIDC_USERNAME_FIELD: z.string().default("preferred_username"),
  CODER_OIDC_EMAIL_FIELD: z.string().default("email"),
  CODER_OIDC_NAME_FIELD: z.string().default("name"),
  CODER_OIDC_SIGN_IN_TEXT: z.string().default("OpenID Connect"),
  CODER_OIDC_ICON_URL: z.string().default(""),
  /** Coder lets OIDC users sign up unless told otherwise (GitHub: the opposite). */
  CODER_OIDC_ALLOW_SIGNUPS: flag("true"),
  // Users' quiet hours (docs/configuration.md), with Coder's defaults: UTC midnight, users may choose their own.
  CODER_QUIET_HOURS_DEFAULT_SCHEDULE: z.string().default("CRON_TZ=UTC 0 0 * * *"),
  CODER_ALLOW_CUSTOM_QUIET_HOURS: flag("true"),
});

export type Env = Record<string, string | undefined>;

export interface RateLimitConfig {
  disabled: boolean;
  perIp: number;
  perAccount: number;
  windowMs: number;
  /** The general API limit per minute (src/security/api-rate-limit.ts); 0 or less: off. */
  apiPerMinute: number;
}

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
  /** TENANT_ID, when set. */
  tenantId: string | undefined;
  /** The `aud` of every token: TENANT_ID when set, otherwise the access URL. `iss` is always the access URL. */
  tokenAudience: string;
  logRequests: boolean;
  rateLimits: RateLimitConfig;
  /** TRUSTED_PROXIES, parsed (src/security/client-ip.ts). */
  trustedProxies: TrustedProxies;
  /** Undefined when GitHub sign-in is not configured. */
  github: GithubConfig | undefined;
  /** Undefined when OpenID Connect sign-in is not configured. */
  oidc: OidcConfig | undefined;
  /** The schedule of users who have not set their own, and whether they may (src/users/settings/quiet-hours.ts). */
  quietHours: { defaultSchedule: DailySchedule; allowUserCustom: boolean };
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The environment once validated, which src/oauth/config.ts reads the sign-in providers from. */
export type ParsedEnv = z.infer<typeof envSchema>;

export function loadConfig(env: Env): Config {
  // Empty strings mean "unset" (a blank line in .dev.vars or an exported empty variable).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const github = githubConfig(e, problems);
  const oidc = oidcConfig(e, problems);
  const trusted = parseTrustedProxies(e.TRUSTED_PROXIES);
  problems.push(...trusted.problems.map((p) => `TRUSTED_PROXIES: ${p}`));
  const quietHours = parseDaily(e.CODER_QUIET_HOURS_DEFAULT_SCHEDULE);
  if (!quietHours.ok) problems.push(`CODER_QUIET_HOURS_DEFAULT_SCHEDULE: ${quietHours.error}`);
  if (problems.length > 0 || !quietHours.ok) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
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
    tenantId: e.TENANT_ID,
    tokenAudience: e.TENANT_ID ?? accessUrl,
    logRequests: e.LOG_REQUESTS,
    rateLimits: {
      disabled: e.DISABLE_RATE_LIMITS || e.CODER_DANGEROUS_DISABLE_RATE_LIMITS,
      perIp: e.LOGIN_RATE_LIMIT,
      perAccount: e.LOGIN_RATE_LIMIT_PER_ACCOUNT,
      windowMs: e.LOGIN_RATE_LIMIT_WINDOW,
      apiPerMinute: e.API_RATE_LIMIT ?? e.CODER_API_RATE_LIMIT ?? 512,
    },
    trustedProxies: trusted.proxies,
    github,
    oidc,
    quietHours: { defaultSchedule: quietHours.schedule, allowUserCustom: e.CODER_ALLOW_CUSTOM_QUIET_HOURS },
  };
}
