// What the audit trail records, as data: each state-changing route (method + Hono pattern) names its audit
// action, its resource type, what the request itself names as the resource (what it created, its handler
// declares: src/audit/facts.ts), and the request fields that may be recorded.
// A route missing here is not audited; test/node/audit/records.test.ts checks that every non-GET route
// of the OpenAPI document is either listed or named in NOT_AUDITED, so a new route cannot slip through.

/** Coder's audit actions (codersdk.AuditAction) that Gatehouse produces. */
export const AUDIT_ACTIONS = ["create", "write", "delete", "login", "logout", "request_password_reset"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Coder's audit resource types (codersdk.ResourceType) that Gatehouse produces. */
export const RESOURCE_TYPES = ["user", "api_key", "git_ssh_key", "convert_login"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * What a request names as its resource by itself, before any handler ran: recorded when its handler
 * declared nothing (src/audit/facts.ts), which includes every refused request.
 * - `user-param`: the `{user}` path parameter, as the user it resolved to once resolved;
 * - `keyid-param`: the `{keyid}` path parameter;
 * - `keyname-param`: the `{keyname}` path parameter (a named token of `{user}`);
 * - `body-username`, `body-token-name`: the name a create asked for (its id exists only once created);
 * - `body-email`: the email the request named, its account looked up when the row is written (sign-ins
 *   and password resets: the account may not exist);
 * - `caller-session`: the caller's own session key (sign-out).
 * Absent: the request names nothing (an OAuth callback).
 */
export type RequestedResource =
  | "user-param"
  | "keyid-param"
  | "keyname-param"
  | "body-username"
  | "body-token-name"
  | "body-email"
  | "caller-session";

export interface AuditRule {
  action: AuditAction;
  resourceType: ResourceType;
  requested?: RequestedResource;
  /** Request-body fields recorded with their value. */
  fields?: readonly string[];
  /** Request-body fields recorded only as `{"secret": true}`: that they were sent, never what they held. */
  secrets?: readonly string[];
  /** Fixed diff entries the route itself implies (a status change names the new status). */
  implied?: Readonly<Record<string, unknown>>;
  /**
   * Record only responses that finished a sign-in (its handler declared the session) or failed: an OAuth
   * callback's first hop (the redirect to the provider) changes nothing.
   */
  onlyOutcomes?: boolean;
  /**
   * Recorded without a session: sign-ins, sign-ups and password resets, whose callers have none. Other
   * routes are recorded only once a session was accepted, so unauthenticated noise cannot fill the log.
   */
  public?: boolean;
  /**
   * The handler writes its success's record itself, in the statement (or its own transaction) that makes
   * the change (successRecord, middleware.ts), so the request runs without the middleware's transaction.
   * For a route whose change is one statement: a password sign-in (which would otherwise also hold a
   * connection idle in its transaction while argon2 runs), minting, deleting or expiring an API key, signing
   * out. Each would otherwise send BEGIN, the record and COMMIT as three more round trips, and on Workers
   * open a WebSocket and start a Postgres session for them. Its refusals must change nothing, as every
   * audited route's.
   */
  recordsItself?: boolean;
}

const USER_FIELDS = ["email", "username", "name", "login_type", "user_status", "organization_ids", "roles", "service_account"];
const TOKEN_FIELDS = ["token_name", "lifetime", "scope", "scopes", "allow_list"];

/** Keyed by `METHOD /api/v2/...` with Hono's `:param` patterns, exactly as the router matched them. */
export const AUDIT_RULES: Readonly<Record<string, AuditRule>> = {
  "POST /api/v2/users/first": {
    public: true,
    action: "create",
    resourceType: "user",
    requested: "body-username",
    fields: USER_FIELDS,
    secrets: ["password"],
  },
  "POST /api/v2/users": { action: "create", resourceType: "user", requested: "body-username", fields: USER_FIELDS, secrets: ["password"] },
  "POST /api/v2/users/login": {
    public: true,
    recordsItself: true,
    action: "login",
    resourceType: "api_key",
    requested: "body-email",
    fields: ["email"],
    secrets: ["password"],
  },
  "GET /api/v2/users/oauth2/github/callback": { public: true, action: "login", resourceType: "api_key", onlyOutcomes: true },
  "GET /api/v2/users/oidc/callback": { public: true, action: "login", resourceType: "api_key", onlyOutcomes: true },
  "POST /api/v2/users/logout": { recordsItself: true, action: "logout", resourceType: "api_key", requested: "caller-session" },
  "POST /api/v2/users/otp/request": {
    public: true,
    action: "request_password_reset",
    resourceType: "user",
    requested: "body-email",
    fields: ["email"],
  },
  "POST /api/v2/users/otp/change-password": {
    public: true,
    action: "write",
    resourceType: "user",
    requested: "body-email",
    fields: ["email"],
    secrets: ["password", "one_time_passcode"],
  },
  "DELETE /api/v2/users/:user": { action: "delete", resourceType: "user", requested: "user-param" },
  "PUT /api/v2/users/:user/status/suspend": {
    action: "write",
    resourceType: "user",
    requested: "user-param",
    implied: { status: "suspended" },
  },
  "PUT /api/v2/users/:user/status/activate": {
    action: "write",
    resourceType: "user",
    requested: "user-param",
    implied: { status: "active" },
  },
  "PUT /api/v2/users/:user/profile": { action: "write", resourceType: "user", requested: "user-param", fields: ["username", "name"] },
  "PUT /api/v2/users/:user/password": {
    action: "write",
    resourceType: "user",
    requested: "user-param",
    secrets: ["password", "old_password"],
  },
  // Coder's AuditOAuthConvertState: the handler names the user's id and the login type asked for.
  "POST /api/v2/users/:user/convert-login": {
    action: "create",
    resourceType: "convert_login",
    requested: "user-param",
    fields: ["to_type"],
    secrets: ["password"],
  },
  "PUT /api/v2/users/:user/roles": { action: "write", resourceType: "user", requested: "user-param", fields: ["roles"] },
  "PUT /api/v2/users/:user/appearance": {
    action: "write",
    resourceType: "user",
    requested: "user-param",
    fields: ["theme_preference", "terminal_font", "theme_mode", "theme_light", "theme_dark"],
  },
  "PUT /api/v2/users/:user/preferences": {
    action: "write",
    resourceType: "user",
    requested: "user-param",
    fields: ["task_notification_alert_dismissed", "thinking_display_mode", "code_diff_display_mode", "agent_chat_send_shortcut"],
  },
  // Coder's putUserQuietHoursSchedule audits a write to the user.
  "PUT /api/v2/users/:user/quiet-hours": { action: "write", resourceType: "user", requested: "user-param", fields: ["schedule"] },
  // The new key pair is generated server-side: the request carries nothing, the private key is never recorded.
  "PUT /api/v2/users/:user/gitsshkey": {
    action: "write",
    resourceType: "git_ssh_key",
    requested: "user-param",
    implied: { private_key: { secret: true } },
  },
  "POST /api/v2/users/:user/keys": {
    recordsItself: true,
    action: "create",
    resourceType: "api_key",
    requested: "body-token-name",
    fields: TOKEN_FIELDS,
  },
  "POST /api/v2/users/:user/keys/tokens": {
    recordsItself: true,
    action: "create",
    resourceType: "api_key",
    requested: "body-token-name",
    fields: TOKEN_FIELDS,
  },
  "DELETE /api/v2/users/:user/keys/:keyid": { recordsItself: true, action: "delete", resourceType: "api_key", requested: "keyid-param" },
  "PUT /api/v2/users/:user/keys/:keyid/expire": { recordsItself: true, action: "write", resourceType: "api_key", requested: "keyid-param" },
  "PATCH /api/v2/users/:user/keys/tokens/:keyname": {
    action: "write",
    resourceType: "api_key",
    requested: "keyname-param",
    fields: ["lifetime", "scope", "scopes", "allow_list"],
  },
};

/**
 * Non-GET routes that change nothing, or that Coder does not audit, so have nothing to audit. Listed so the
 * completeness test can tell "deliberately not audited" from "forgotten".
 */
export const NOT_AUDITED: readonly string[] = [
  "POST /api/v2/users/validate-password",
  // Push subscriptions: coderd/webpush.go records no audit entry for them.
  "POST /api/v2/users/:user/webpush/subscription",
  "DELETE /api/v2/users/:user/webpush/subscription",
  // Coder's putUserNotificationPreferences records no audit entry (coderd/notifications.go): a user's own
  // choice of which messages to receive, with no effect on access.
  "PUT /api/v2/users/:user/notifications/preferences",
];
