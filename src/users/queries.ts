import { and, eq, ne, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { membershipsOf, type Actor, type Membership } from "../auth/actor.ts";
import { OWNER_ROLE } from "../auth/rbac.ts";
import { preparedPerHandle, statementName, type Db, type Tx } from "../db/index.ts";
import { users, type UserRow, type UserStatus, type UserWithoutPasscode } from "../db/schema.ts";
import type { KeyGuard } from "../keys/issue.ts";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserWithOrgs {
  /** The caller's own row as the session loaded it (src/auth/actor.ts), or another user's whole row. */
  user: UserWithoutPasscode;
  memberships: Membership[];
}

/**
 * Resolves a `{user}` path parameter: `me`, a UUID, or a username (case-insensitive). Deleted users are
 * never found. `me` costs no query: the session already loaded the caller.
 */
export async function findUserByParam(db: Db, param: string, actor: Actor): Promise<UserWithOrgs | undefined> {
  if (param === "me") return { user: actor.user, memberships: actor.memberships };
  const match = UUID_RE.test(param) ? eq(users.id, param.toLowerCase()) : sql`lower(${users.username}) = lower(${param})`;
  const rows = await db
    .select({ user: users, memberships: membershipsOf(users.id) })
    .from(users)
    .where(and(match, eq(users.deleted, false)))
    .limit(1);
  return rows[0];
}

/**
 * The login lookup, prepared like the actor query (src/auth/actor.ts): built once per database handle, and
 * on the Node server's own connections parsed and planned once per connection. Every sign-in attempt runs
 * it, failed and unknown ones included; building it cost about 75 µs of the event loop each time.
 */
const emailLookup = preparedPerHandle((db: Db) =>
  db
    .select()
    .from(users)
    .where(
      and(
        sql`lower(${users.email}) = lower(${sql.placeholder("email")})`,
        // The unique index on lower(email) is partial (live users with an email): only a query that
        // repeats its predicate, as literals, may use it. Without them every login read the whole table
        // (about 100 ms at 100k users: npm run bench, docs/performance.md). No account is found by an empty email.
        sql`${users.deleted} = false`,
        sql`${users.email} <> ''`,
        sql`${users.isSystem} = false`,
      ),
    )
    .limit(1)
    .prepare(statementName(db, "gatehouse_user_by_email")),
);

/** Live user by email, case-insensitively (login). */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const rows = await emailLookup(db).execute({ email });
  return rows[0];
}

/** Has anyone (not a system user) been created yet? */
export async function hasFirstUser(db: Db | Tx): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.deleted, false), eq(users.isSystem, false)))
    .limit(1);
  return rows.length > 0;
}

/** A live user's row still holds this password hash: the guard under which a sign-in writes its key. */
export const passwordStillIs = (hash: string | SQLWrapper): SQL => and(eq(users.hashedPassword, hash), eq(users.deleted, false))!;

/** passwordStillIs as the guard of a prepared key insert (src/keys/issue.ts): the hash is its `hash` parameter. */
export const PASSWORD_UNCHANGED: KeyGuard = { name: "password_unchanged", where: passwordStillIs(sql.placeholder("hash")) };

/** Locks the user's row against other writers (not against key inserts) if it still matches `guard`. */
export async function lockUserIf(tx: Tx, userId: string, guard: SQL): Promise<boolean> {
  const locked = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), guard))
    .for("no key update");
  return locked.length > 0;
}

/** Writes `changes` to the user's row, whatever its state. */
export async function updateUser(db: Db | Tx, userId: string, changes: Partial<UserRow>): Promise<void> {
  await db.update(users).set(changes).where(eq(users.id, userId));
}

/** The user's row, unless it is deleted. */
const liveUser = (userId: string) => and(eq(users.id, userId), eq(users.deleted, false));

/** Writes `changes` to the live user's row; false when the user is gone. */
async function updateLiveUser(db: Db | Tx, userId: string, changes: Partial<UserRow>): Promise<boolean> {
  const updated = await db.update(users).set(changes).where(liveUser(userId)).returning({ id: users.id });
  return updated.length > 0;
}

/** The soft delete; false when the user was deleted already. */
export const markUserDeleted = (db: Db | Tx, userId: string, at: Date) => updateLiveUser(db, userId, { deleted: true, updatedAt: at });

/** Stores a one-time passcode's hash, replacing any earlier one; false when the user is gone. */
export const storeOneTimePasscode = (db: Db, userId: string, hashed: string, expiresAt: Date) =>
  updateLiveUser(db, userId, { hashedOneTimePasscode: hashed, oneTimePasscodeExpiresAt: expiresAt });

export interface ProfileChange {
  username: string;
  name: string;
  avatarUrl: string;
  updatedAt: Date;
}

/** The live user's profile fields; undefined when the user is gone. A taken username is a unique violation. */
export async function updateProfile(db: Db, userId: string, change: ProfileChange): Promise<UserRow | undefined> {
  const [updated] = await db.update(users).set(change).where(liveUser(userId)).returning();
  return updated;
}

/** Locks the live user's row for update and reads its site roles; undefined when the user is gone. */
export async function lockSiteRoles(tx: Tx, userId: string): Promise<string[] | undefined> {
  const [row] = await tx.select({ roles: users.rbacRoles }).from(users).where(liveUser(userId)).for("update");
  return row?.roles;
}

/** Replaces the user's site roles, leaving updated_at alone. */
export async function setSiteRoles(tx: Tx, userId: string, roles: string[]): Promise<UserRow> {
  const [saved] = await tx.update(users).set({ rbacRoles: roles }).where(eq(users.id, userId)).returning();
  return saved!;
}

/**
 * Sets the live user's status; undefined when no row matched: the user is gone or, with `unlessOwner`, holds
 * the owner role (checked in the same statement, so a role granted since the lookup still counts).
 */
export async function setUserStatus(
  db: Db,
  userId: string,
  change: { status: UserStatus; updatedAt: Date },
  unlessOwner: boolean,
): Promise<UserRow | undefined> {
  const conditions: SQL[] = [eq(users.id, userId), eq(users.deleted, false)];
  if (unlessOwner) conditions.push(sql`not (${OWNER_ROLE} = any(${users.rbacRoles}))`);
  const [updated] = await db
    .update(users)
    .set(change)
    .where(and(...conditions))
    .returning();
  return updated;
}

/** Whether the user exists and is not deleted. */
export async function isLiveUser(db: Db, userId: string): Promise<boolean> {
  const [current] = await db.select({ id: users.id }).from(users).where(liveUser(userId));
  return current !== undefined;
}

/** Whether a live user already has this username, case-insensitively. */
export async function usernameTaken(db: Db | Tx, username: string): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.username}) = lower(${username})`, eq(users.deleted, false)))
    .limit(1);
  return rows.length > 0;
}

/**
 * Whether a live user has this username or (when given) email, case-insensitively, among the users
 * `visible` lets through (undefined: all of them).
 */
export async function nameOrEmailInUse(db: Db, username: string, email: string, visible: SQL | undefined): Promise<boolean> {
  const sameName = sql`lower(${users.username}) = lower(${username})`;
  const sameEmail = email ? and(ne(users.email, ""), sql`lower(${users.email}) = lower(${email})`) : undefined;
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.deleted, false), or(sameName, sameEmail), visible))
    .limit(1);
  return rows.length > 0;
}
