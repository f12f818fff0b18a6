// Find, link or create the user behind an external identity, then open a session (Coder's oauthLogin,
// coderd/userauth.go). Everything happens in one transaction: the user, its user_links row
// and the session key appear together or not at all.
import { auditFacts } from "../audit/facts.ts";
import { issueSession, setSessionCookie } from "../auth/issue-session.ts";
import { errorCode, uniqueViolation } from "../db/errors.ts";
import type { Tx } from "../db/index.ts";
import type { LoginType, UserRow } from "../db/schema.ts";
import { ApiError, apiError } from "../http/errors.ts";
import { logLine } from "../http/logging.ts";
import { defaultOrganizationId } from "../orgs/queries.ts";
import { insertUser } from "../users/create.ts";
import { lockFirstUser, newUserRole } from "../users/first-owner.ts";
import { notifyAccountCreated } from "../users/notifications/events.ts";
import { updateUser, usernameTaken } from "../users/queries.ts";
import { convertLoginType } from "./convert.ts";
import { isConvertState } from "./convert-state.ts";
import { looksAlike } from "./email.ts";
import type { Ctx } from "./flow.ts";
import { randomUsername, usernameFrom } from "./names.ts";
import { saveLink, userByEmailWithLink, userByLink } from "./queries.ts";

export interface ExternalIdentity {
  loginType: Extract<LoginType, "github" | "oidc">;
  /** The provider's stable id: the GitHub user id, or `<issuer>||<sub>` for OIDC. */
  linkedId: string;
  email: string;
  /**
   * Whether `email` may stand for the person signing in when it matches an existing account: the provider
   * verified it, or (OIDC) the administrator chose to trust unverified addresses.
   */
  emailVerified: boolean;
  username: string;
  name: string;
  avatarUrl: string;
  allowSignups: boolean;
  accessToken: string;
  refreshToken: string;
  /** When the provider's access token expires; null when it does not (stored as Go's zero time). */
  expiry: Date | null;
  /** Stored in user_links.claims; `merged_claims` feeds GET /users/oidc-claims. */
  claims: Record<string, unknown>;
  /** GitHub.com's numeric user id, recorded on the user (never for GitHub Enterprise). */
  githubComUserId?: number;
  /** The flow's state: a conversion's (src/oauth/convert-state.ts) converts a password account first. */
  state?: string;
}

const signupsDisabled = () => apiError(403, "Signups are disabled", "Please contact your Coder administrator to request access.");

function wrongLoginType(user: LoginType, attempted: LoginType) {
  const hint = user === "password" ? " You can convert your account to use this login type by visiting your account settings." : "";
  return apiError(
    403,
    "Incorrect login type",
    `Attempting to use login type "${attempted}", but the user has the login type "${user}".${hint}`,
  );
}

/** The identity's user: found by its own link, found by email (an account it is not linked to yet), or new. */
type Found = { user: UserRow; by: "link" | "new" } | { user: UserRow; by: "email"; linkedId: string | null };

/** By link first (a deleted user's links are gone, by trigger), then by email (see email.ts). */
async function findUser(tx: Tx, id: ExternalIdentity): Promise<Found | undefined> {
  const linked = await userByLink(tx, id.loginType, id.linkedId);
  if (linked) return { user: linked, by: "link" };
  const byEmail = await userByEmailWithLink(tx, id.email, id.loginType);
  return byEmail && { user: byEmail.user, by: "email", linkedId: byEmail.linkedId };
}

const PROVIDER_LABEL = { github: "GitHub", oidc: "OIDC" } as const;

const linkedElsewhere = (id: ExternalIdentity) =>
  apiError(
    403,
    `The account with the email ${JSON.stringify(id.email)} is linked to a different ${PROVIDER_LABEL[id.loginType]} identity.`,
    "Sign in with the identity linked to that account, or ask an administrator for help.",
  );

/**
 * Coder links any account whose email matches, case-insensitively, and keeps whatever link it had
 * (https://github.com/coder/coder/blob/main/coderd/userauth.go, findLinkedUser): whoever gets a provider to
 * assert that address signs in as its owner. Gatehouse links by email only an address the provider
 * verified (or that the administrator chose to trust, CODER_OIDC_IGNORE_EMAIL_VERIFIED), and only to an
 * account not yet linked to another identity of that provider. The verification check comes first, so an
 * unverified caller learns only that the address is taken, not (for instance) the account's login type.
 */
function checkEmailLink(found: Extract<Found, { by: "email" }>, id: ExternalIdentity, converting: boolean) {
  // A conversion's signed state, which only the account's password could obtain, vouches for the match.
  if (!id.emailVerified && !converting) {
    throw apiError(
      403,
      `Your identity provider has not verified the email ${JSON.stringify(id.email)}, which belongs to an existing account.`,
      "Verify the address with your identity provider, or ask an administrator for help.",
    );
  }
  if (found.user.loginType !== id.loginType) throw wrongLoginType(found.user.loginType, id.loginType);
  if (found.linkedId && found.linkedId !== id.linkedId) throw linkedElsewhere(id);
}

/** The wanted name, or `<wanted>-<random>` (made valid) when someone already has it: ten tries, as Coder. */
async function freeUsername(tx: Tx, wanted: string): Promise<string> {
  if (!(await usernameTaken(tx, wanted))) return wanted;
  for (let i = 0; i < 10; i++) {
    const candidate = usernameFrom(`${wanted}-${randomUsername()}`);
    if (!(await usernameTaken(tx, candidate))) return candidate;
  }
  throw apiError(409, `exhausted alternatives for taken username "${wanted}"`);
}

/** Called holding the first-user lock (src/users/first-owner.ts), after a second look for the user under it. */
async function createUser(c: Ctx, tx: Tx, id: ExternalIdentity): Promise<UserRow> {
  // The first user may always sign up, whatever the signup setting, and becomes the owner.
  const { first, rbacRoles } = await newUserRole(tx);
  if (!first && !id.allowSignups) throw signupsDisabled();
  const orgId = await defaultOrganizationId(tx);
  if (!orgId) throw apiError(500, "Failed to process OAuth login.", "The default organization is missing.");
  return insertUser(
    tx,
    {
      email: id.email,
      username: await freeUsername(tx, id.username),
      name: id.name,
      hashedPassword: "",
      loginType: id.loginType,
      status: "active",
      rbacRoles,
      organizationIds: [orgId],
    },
    c.env.deps.now(),
  );
}

/** Links (or re-links) the identity, signs the user in, sets the session cookie. Returns the user id. */
export async function oauthLogin(c: Ctx, id: ExternalIdentity): Promise<string> {
  const deps = c.env.deps;
  try {
    const token = await deps.db.transaction(async (tx: Tx) => {
      const now = deps.now();
      let found = await findUser(tx, id);
      const converting = isConvertState(id.state);
      if (converting) found = await convertLoginType(c, tx, found, id);
      if (!found) {
        // Creations queue on the lock; whoever waited sees what the one before it created.
        await lockFirstUser(tx);
        found = (await findUser(tx, id)) ?? { user: await createUser(c, tx, id), by: "new" };
      }
      if (found.by === "email") checkEmailLink(found, id, converting);
      const user = found.user;
      if (user.loginType !== id.loginType) throw wrongLoginType(user.loginType, id.loginType);
      // Stricter than Coder, which issues the key and lets the next request fail: no key for a suspended user.
      if (user.status === "suspended") throw apiError(401, "Your account is suspended. Contact an admin to reactivate your account.");
      const link = {
        userId: user.id,
        loginType: id.loginType,
        linkedId: id.linkedId,
        oauthAccessToken: id.accessToken,
        oauthRefreshToken: id.refreshToken,
        oauthExpiry: id.expiry,
        claims: id.claims,
      };
      // An existing link is only ever filled in, never replaced: a sign-in racing another identity to the
      // same unlinked account, which both found by email, finds the row taken and is refused.
      if (!(await saveLink(tx, link))) throw linkedElsewhere(id);
      // Dormant users wake up on login; the provider's email, name and picture are mirrored, as in Coder,
      // except an email that differs from the stored one only by case or look-alike characters.
      const changes: Partial<UserRow> = {};
      if (user.status === "dormant") changes.status = "active";
      if (!looksAlike(user.email, id.email)) changes.email = id.email;
      if (user.name !== id.name) changes.name = id.name;
      if (user.avatarUrl !== id.avatarUrl) changes.avatarUrl = id.avatarUrl;
      if (id.githubComUserId !== undefined && user.githubComUserId !== id.githubComUserId) changes.githubComUserId = id.githubComUserId;
      if (Object.keys(changes).length > 0) await updateUser(tx, user.id, { ...changes, updatedAt: now });
      const issued = await issueSession(c, tx, user.id, id.loginType);
      return { token: issued.token, keyId: issued.keyId, userId: user.id, created: found.by === "new" ? user : undefined };
    });
    // Coder's CreateUser tells the owners and user admins of a sign-up, "oauth" as the initiator.
    if (token.created) notifyAccountCreated(deps, token.created, "oauth");
    setSessionCookie(c, token.token);
    // A provider sign-in names no email of the caller's own: the record names the session and its user.
    auditFacts(c, { resourceId: token.keyId, resourceTarget: "", userId: token.userId });
    return token.userId;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // A concurrent login took the username, or the provider's email belongs to another user: possibly one
    // that only the database's case-insensitive index thinks equal (`İ` and `i`), which is no match for linking.
    const constraint = uniqueViolation(err);
    if (constraint === "users_email_lower_idx") {
      throw apiError(
        409,
        "User already exists.",
        "Another account has this email address, or one that differs from it only by letter case.",
      );
    }
    if (constraint !== undefined) throw apiError(409, "User already exists.");
    // A database error's text can quote the statement's parameters, the provider's tokens among them:
    // log only its kind, answer as Coder does.
    const code = errorCode(err);
    const error = err instanceof Error ? err.name : "unknown";
    logLine("error", "oauth login failed", { request_id: c.get("requestId"), error, code }, { time: false });
    throw apiError(500, "Failed to process OAuth login.");
  }
}
