// Find, link or create the user behind an external identity, then open a session (Coder's oauthLogin,
// spec/behavior.md §9.10, §4.2, §5). Everything happens in one transaction: the user, its user_links row
// and the session key appear together or not at all.
import { and, eq, sql } from "drizzle-orm";
import { setCookie } from "hono/cookie";
import { clientIp } from "../auth/session.ts";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import type { Tx } from "../db/index.ts";
import { organizations, userLinks, users, type LoginType, type UserRow } from "../db/schema.ts";
import { ApiError, apiError } from "../http/errors.ts";
import { issueKey } from "../keys/issue.ts";
import { insertUser, uniqueViolation } from "../users/create.ts";
import { hasFirstUser } from "../users/queries.ts";
import type { Ctx } from "./flow.ts";
import { randomUsername, usernameFrom } from "./names.ts";

/**
 * The lock POST /users/first takes (src/users/post-first-user.ts): holding it while counting users makes
 * "the first user becomes owner" race-free between both ways of creating that user.
 */
const FIRST_USER_LOCK = 7_300_001;
/** As POST /users/login: browsers keep the cookie a year, the key's own expiry ends the session. */
const COOKIE_MAX_AGE_SECONDS = 31_536_000;

export interface ExternalIdentity {
  loginType: Extract<LoginType, "github" | "oidc">;
  /** The provider's stable id: the GitHub user id, or `<issuer>||<sub>` for OIDC. */
  linkedId: string;
  email: string;
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
}

const signupsDisabled = () =>
  apiError(403, "Signups are disabled", "Please contact your Coder administrator to request access.");

function wrongLoginType(user: LoginType, attempted: LoginType) {
  const hint = user === "password" ? " You can convert your account to use this login type by visiting your account settings." : "";
  return apiError(403, "Incorrect login type", `Attempting to use login type "${attempted}", but the user has the login type "${user}".${hint}`);
}

/** By link first (a deleted user's links are gone, by trigger), then by email, case-insensitively. */
async function findUser(tx: Tx, id: ExternalIdentity): Promise<UserRow | undefined> {
  const [linked] = await tx
    .select({ user: users })
    .from(userLinks)
    .innerJoin(users, eq(users.id, userLinks.userId))
    .where(and(eq(userLinks.linkedId, id.linkedId), eq(userLinks.loginType, id.loginType), eq(users.deleted, false)))
    .limit(1);
  if (linked) return linked.user;
  const [byEmail] = await tx
    .select()
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${id.email})`, eq(users.deleted, false), eq(users.isSystem, false)))
    .limit(1);
  return byEmail;
}

async function usernameTaken(tx: Tx, username: string): Promise<boolean> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.username}) = lower(${username})`, eq(users.deleted, false)))
    .limit(1);
  return rows.length > 0;
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

/** Called holding FIRST_USER_LOCK, after a second look for the user under it. */
async function createUser(c: Ctx, tx: Tx, id: ExternalIdentity): Promise<UserRow> {
  // The first user may always sign up, whatever the signup setting, and becomes the owner.
  const first = !(await hasFirstUser(tx));
  if (!first && !id.allowSignups) throw signupsDisabled();
  const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true)).limit(1);
  if (!org) throw apiError(500, "Failed to process OAuth login.", "The default organization is missing.");
  return insertUser(
    tx,
    {
      email: id.email,
      username: await freeUsername(tx, id.username),
      name: id.name,
      hashedPassword: "",
      loginType: id.loginType,
      status: "active",
      rbacRoles: first ? ["owner"] : [],
      organizationIds: [org.id],
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
      let user = await findUser(tx, id);
      if (!user) {
        // Creations queue on the lock; whoever waited sees what the one before it created.
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK})`);
        user = (await findUser(tx, id)) ?? (await createUser(c, tx, id));
      }
      if (user.loginType !== id.loginType) throw wrongLoginType(user.loginType, id.loginType);
      // Stricter than Coder, which issues the key and lets the next request fail: no key for a suspended user.
      if (user.status === "suspended") throw apiError(401, "Your account is suspended. Contact an admin to reactivate your account.");
      const tokens = { oauthAccessToken: id.accessToken, oauthRefreshToken: id.refreshToken, oauthExpiry: id.expiry, claims: id.claims };
      await tx
        .insert(userLinks)
        .values({ userId: user.id, loginType: id.loginType, linkedId: id.linkedId, ...tokens })
        .onConflictDoUpdate({ target: [userLinks.userId, userLinks.loginType], set: { linkedId: id.linkedId, ...tokens } });
      // Dormant users wake up on login; the provider's email, name and picture are mirrored, as in Coder.
      const changes: Partial<UserRow> = {};
      if (user.status === "dormant") changes.status = "active";
      if (user.email !== id.email) changes.email = id.email;
      if (user.name !== id.name) changes.name = id.name;
      if (user.avatarUrl !== id.avatarUrl) changes.avatarUrl = id.avatarUrl;
      if (id.githubComUserId !== undefined && user.githubComUserId !== id.githubComUserId) changes.githubComUserId = id.githubComUserId;
      if (Object.keys(changes).length > 0) await tx.update(users).set({ ...changes, updatedAt: now }).where(eq(users.id, user.id));
      const issued = await issueKey(deps, tx, {
        userId: user.id,
        loginType: id.loginType,
        lifetimeMs: deps.config.sessionDurationMs,
        ip: clientIp(c.env),
      });
      return { token: issued.token, userId: user.id };
    });
    setCookie(c, SESSION_COOKIE, token.token, {
      path: "/",
      httpOnly: true,
      sameSite: "Lax",
      secure: deps.config.secureCookies,
      maxAge: COOKIE_MAX_AGE_SECONDS,
    });
    return token.userId;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // A concurrent login took the username, or the provider's new email belongs to another user.
    if (uniqueViolation(err) !== undefined) throw apiError(409, "User already exists.");
    // A database error's text can quote the statement's parameters, the provider's tokens among them:
    // log only its kind, answer as Coder does.
    const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
    console.error(JSON.stringify({ level: "error", msg: "oauth login failed", request_id: c.get("requestId"), error: err instanceof Error ? err.name : "unknown", code }));
    throw apiError(500, "Failed to process OAuth login.");
  }
}
