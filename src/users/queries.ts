import { and, eq, sql } from "drizzle-orm";
import { membershipsOf, type Actor, type Membership } from "../auth/actor.ts";
import { preparedPerHandle, statementName, type Db, type Tx } from "../db/index.ts";
import { users, type UserRow } from "../db/schema.ts";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserWithOrgs {
  user: UserRow;
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
