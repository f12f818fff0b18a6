// A session of Coder's web dashboard against a fresh deployment, written down as data: the Users-API calls
// its API client (site/src/api/api.ts in coder/coder, the `ApiMethods` class) makes, in the order the
// dashboard's pages make them, for a new deployment's owner, a user-admin the owner creates and a member.
// Each step names who sends it, the operation (the path as the OpenAPI document spells it, so the answer
// is checked against that operation), its arguments and body, and Coder's status for it, with the Coder
// handler (file and function) that answers so.
//
// Values learnt along the way are referred to by name: `$memberId` in a path argument, query or body is
// what an earlier step captured as `memberId`. `capture` takes a value out of a response body by a dotted
// path (`0.id` is the first element's `id`); `passcode` takes the one-time passcode from the last message
// the notification webhook received.

/** Who sends a step: `anonymous` sends no token; the others send the session token their sign-in captured. */
export type Actor = "anonymous" | "owner" | "userAdmin" | "member";
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Step {
  actor: Actor;
  method: Method;
  /** The path under /api/v2 as the OpenAPI document names it, e.g. `/users/{user}/roles`. */
  path: string;
  /** Values for the path's `{…}` parameters; `{user}` is `me` unless given, as in the dashboard's own calls. */
  args?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Coder's status for this call. */
  status: number;
  /** The Coder handler (file and function) that answers with that status. */
  coder: string;
  /** Names for values of the response body, by dotted path. */
  capture?: Record<string, string>;
  /** A variable to fill with the passcode the webhook received last (after deferred work has run). */
  passcode?: string;
}

type Extra = Pick<Step, "args" | "query" | "body" | "capture" | "passcode">;

/** One step: `call("member", "GET /users/{user}", 200, "coderd/users.go userByName", { … })`. */
function call(actor: Actor, operation: `${Method} /${string}`, status: number, coder: string, extra: Extra = {}): Step {
  const [method, path] = operation.split(" ") as [Method, string];
  return { actor, method, path, status, coder, ...extra };
}

export const ORG = "coder";
const OWNER = { email: "admin@example.com", username: "admin", name: "Ada Admin", password: "Correct-Horse-Battery-9" };
const USER_ADMIN = { email: "ursula@example.com", username: "ursula", name: "Ursula Useradmin", password: "Useradmin-Passphrase-7" };
const MEMBER = { email: "mia@example.com", username: "mia", name: "Mia Member", password: "Member-Passphrase-5" };
/** The member's password as the user-admin resets it, as the member changes it, and as the passcode recovers it. */
const MEMBER_RESET = "Reset-By-Useradmin-3";
const MEMBER_CHANGED = "Changed-By-Member-8";
const MEMBER_RECOVERED = "Recovered-By-Passcode-4";
const SIGN_IN = { owner: OWNER, userAdmin: USER_ADMIN, member: MEMBER } as const;

/** The Users page's first page, as getUsers sends it (getURLWithSearchParams leaves out an empty `q`). */
const USERS_PAGE = { limit: "25", offset: "0" };
const THIRTY_DAYS_NS = 30 * 86_400_000_000_000;
/** Shorter than the token's thirty days: Gatehouse cannot move a token's expiry later (coder-compatibility.md). */
const SEVEN_DAYS_NS = 7 * 86_400_000_000_000;
const ROLES = "coderd/roles.go AssignableSiteRoles";
const USER = "coderd/users.go userByName";
const SIGNED_OUT = "coderd/httpmw/apikey.go ExtractAPIKey";
const LOGOUT = "coderd/userauth.go postLogout";
const ORG_BY_NAME = "coderd/users.go organizationByUserAndName";

/** The sign-in page: the providers it offers, then the password form. */
const signIn = (actor: keyof typeof SIGN_IN, password: string): Step[] => [
  call("anonymous", "GET /users/authmethods", 200, "coderd/userauth.go userAuthMethods"),
  call("anonymous", "POST /users/login", 201, "coderd/userauth.go postLogin", {
    body: { email: SIGN_IN[actor].email, password },
    capture: { [`token:${actor}`]: "session_token" },
  }),
];

/** What every page loads once signed in: the user, their appearance (the theme) and organizations. */
const dashboardLoad = (actor: Actor, idAs: string): Step[] => [
  call(actor, "GET /users/{user}", 200, USER, { capture: { [idAs]: "id" } }),
  call(actor, "GET /users/{user}/appearance", 200, "coderd/users.go userAppearanceSettings"),
  call(actor, "GET /users/{user}/organizations", 200, "coderd/users.go organizationsByUser"),
];

export const DASHBOARD_SESSION: readonly Step[] = [
  // Setup: the dashboard asks whether there is a first user (a 404 sends it to /setup), then creates it.
  call("anonymous", "GET /buildinfo", 200, "coderd/coderd.go buildInfoHandler"),
  call("anonymous", "GET /users/first", 404, "coderd/users.go firstUser"),
  call("anonymous", "GET /users/authmethods", 200, "coderd/userauth.go userAuthMethods"),
  call("anonymous", "POST /users/first", 201, "coderd/users.go postFirstUser", {
    body: { ...OWNER, trial: false },
    capture: { orgId: "organization_id" },
  }),
  call("anonymous", "GET /users/first", 200, "coderd/users.go firstUser"),
  ...signIn("owner", OWNER.password),
  ...dashboardLoad("owner", "ownerId"),
  call("owner", "GET /users/{user}/organizations/{organizationname}", 200, ORG_BY_NAME, { args: { organizationname: ORG } }),

  // Users page: the list, the role picker, two new users, one of them made a user-admin.
  call("owner", "GET /users", 200, "coderd/users.go users", { query: USERS_PAGE }),
  call("owner", "GET /users/roles", 200, ROLES),
  call("owner", "POST /users", 201, "coderd/users.go postUser", {
    body: { ...USER_ADMIN, login_type: "password", organization_ids: ["$orgId"] },
    capture: { userAdminId: "id" },
  }),
  call("owner", "POST /users", 201, "coderd/users.go postUser", {
    body: { ...MEMBER, login_type: "password", organization_ids: ["$orgId"] },
    capture: { memberId: "id" },
  }),
  call("owner", "PUT /users/{user}/roles", 200, "coderd/users.go putUserRoles", {
    args: { user: "$userAdminId" },
    body: { roles: ["user-admin"] },
  }),
  call("owner", "GET /users", 200, "coderd/users.go users", { query: { q: "status:active", ...USERS_PAGE } }),
  call("owner", "GET /users/{user}", 200, USER, { args: { user: "$memberId" } }),
  call("owner", "GET /users/{user}/roles", 200, "coderd/users.go userRoles", { args: { user: "$memberId" } }),

  // The user-admin's dashboard: the users list, suspend and activate, a password reset for the member.
  ...signIn("userAdmin", USER_ADMIN.password),
  ...dashboardLoad("userAdmin", "userAdminMe"),
  call("userAdmin", "GET /users", 200, "coderd/users.go users", { query: USERS_PAGE }),
  call("userAdmin", "GET /users/roles", 200, ROLES),
  call("userAdmin", "PUT /users/{user}/status/suspend", 200, "coderd/users.go putSuspendUserAccount", { args: { user: "$memberId" } }),
  call("userAdmin", "PUT /users/{user}/status/activate", 200, "coderd/users.go putActivateUserAccount", { args: { user: "$memberId" } }),
  call("userAdmin", "PUT /users/{user}/password", 204, "coderd/users.go putUserPassword", {
    args: { user: "$memberId" },
    body: { password: MEMBER_RESET },
  }),
  // A user-admin may not grant or take the owner role: the role update is not authorized (putUserRoles, Forbidden).
  call("userAdmin", "PUT /users/{user}/roles", 403, "coderd/users.go putUserRoles", { args: { user: "$ownerId" }, body: { roles: [] } }),

  // The member: account, appearance, preference and notification pages.
  ...signIn("member", MEMBER_RESET),
  ...dashboardLoad("member", "memberMe"),
  call("member", "PUT /users/{user}/profile", 200, "coderd/users.go putUserProfile", {
    body: { username: MEMBER.username, name: "Mia M. Member" },
  }),
  call("member", "PUT /users/{user}/appearance", 200, "coderd/users.go putUserAppearanceSettings", {
    body: { theme_preference: "dark", terminal_font: "fira-code" },
  }),
  call("member", "GET /users/{user}/preferences", 200, "coderd/users.go userPreferenceSettings"),
  call("member", "PUT /users/{user}/preferences", 200, "coderd/users.go putUserPreferenceSettings", {
    body: { task_notification_alert_dismissed: true },
  }),
  call("member", "GET /users/{user}/notifications/preferences", 200, "coderd/notifications.go getUserNotificationPreferences", {}),
  call("member", "PUT /users/{user}/notifications/preferences", 200, "coderd/notifications.go putUserNotificationPreferences", {
    body: { template_disabled_map: {} },
  }),
  call("member", "GET /users/{user}/quiet-hours", 200, "enterprise/coderd/users.go userQuietHoursSchedule"),
  call("member", "PUT /users/{user}/quiet-hours", 200, "enterprise/coderd/users.go putUserQuietHoursSchedule", {
    body: { schedule: "CRON_TZ=Europe/London 30 2 * * *" },
  }),
  call("member", "GET /users/{user}/login-type", 200, "coderd/users.go userLoginType"),
  // The dashboard offers conversion only to providers the deployment signs in with (none here); a password
  // target is refused outright, whatever is configured.
  call("member", "POST /users/{user}/convert-login", 400, "coderd/userauth.go postConvertLoginType", {
    body: { to_type: "password", password: MEMBER_RESET },
  }),

  // Security page: the form checks strength as the member types, then changes the password.
  call("member", "POST /users/validate-password", 200, "coderd/users.go validateUserPassword", { body: { password: "weak" } }),
  call("member", "POST /users/validate-password", 200, "coderd/users.go validateUserPassword", { body: { password: MEMBER_CHANGED } }),
  call("member", "PUT /users/{user}/password", 204, "coderd/users.go putUserPassword", {
    body: { old_password: MEMBER_RESET, password: MEMBER_CHANGED },
  }),
  // The change deletes every API key of the user, this session's too (putUserPassword, DeleteAPIKeysByUserID).
  call("member", "GET /users/{user}", 401, SIGNED_OUT),
  ...signIn("member", MEMBER_CHANGED),

  // Tokens page.
  call("member", "GET /users/{user}/keys/tokens/tokenconfig", 200, "coderd/apikey.go tokenConfig"),
  call("member", "GET /auth/scopes", 200, "coderd/scopes_catalog.go listExternalScopes"),
  call("member", "GET /users/{user}/keys/tokens", 200, "coderd/apikey.go tokens", { query: { include_all: "false" } }),
  call("member", "POST /users/{user}/keys/tokens", 201, "coderd/apikey.go postToken", {
    body: { token_name: "laptop", lifetime: THIRTY_DAYS_NS, scopes: ["all"] },
  }),
  call("member", "GET /users/{user}/keys/tokens", 200, "coderd/apikey.go tokens", { capture: { tokenId: "0.id" } }),
  call("member", "PATCH /users/{user}/keys/tokens/{keyname}", 200, "coderd/apikey.go patchToken", {
    args: { keyname: "laptop" },
    body: { lifetime: SEVEN_DAYS_NS },
  }),
  call("member", "PATCH /users/{user}/keys/tokens/{keyname}", 404, "coderd/apikey.go patchToken", {
    args: { keyname: "no-such-token" },
    body: {},
  }),
  call("member", "DELETE /users/{user}/keys/{keyid}", 204, "coderd/apikey.go deleteAPIKey", { args: { keyid: "$tokenId" } }),

  // SSH key page, and the organization the workspace pages name.
  call("member", "GET /users/{user}/gitsshkey", 200, "coderd/gitsshkey.go gitSSHKey"),
  call("member", "PUT /users/{user}/gitsshkey", 200, "coderd/gitsshkey.go regenerateGitSSHKey"),
  call("member", "GET /users/{user}/organizations/{organizationname}", 200, ORG_BY_NAME, { args: { organizationname: ORG } }),

  // Push notifications: the endpoint must be an https URL (coderd/webpush.go validateWebpushEndpoint).
  call("member", "POST /users/{user}/webpush/subscription", 400, "coderd/webpush.go postUserWebpushSubscription", {
    body: { endpoint: "http://push.example.com/sub", auth_key: "a2V5", p256dh_key: "a2V5" },
  }),

  // What a member meets on the Users page: no role to grant, and other users are not found
  // (a member may not read them: coderd/httpmw/userparam.go ExtractUserParam).
  call("member", "GET /users/roles", 200, ROLES),
  call("member", "PUT /users/{user}/status/suspend", 404, "coderd/httpmw/userparam.go ExtractUserParam", {
    args: { user: "$userAdminId" },
  }),

  // Sign out, then the forgotten-password flow from the sign-in page.
  call("member", "POST /users/logout", 200, LOGOUT),
  call("member", "GET /users/{user}", 401, SIGNED_OUT),
  call("anonymous", "POST /users/otp/request", 204, "coderd/userauth.go postRequestOneTimePasscode", {
    body: { email: MEMBER.email },
    passcode: "passcode",
  }),
  call("anonymous", "POST /users/otp/change-password", 204, "coderd/userauth.go postChangePasswordWithOneTimePasscode", {
    body: { email: MEMBER.email, one_time_passcode: "$passcode", password: MEMBER_RECOVERED },
  }),
  ...signIn("member", MEMBER_RECOVERED),
  call("member", "GET /users/{user}", 200, USER),

  // Everyone signs out.
  call("member", "POST /users/logout", 200, LOGOUT),
  call("userAdmin", "POST /users/logout", 200, LOGOUT),
  call("owner", "POST /users/logout", 200, LOGOUT),
];
