// The authenticated caller, loaded in a single round trip: the key row, its user and the user's
// organization memberships. The same query is the revocation check (a deleted key finds no row).
import { and, eq, getTableColumns, sql, type Table } from "drizzle-orm";
import { preparedPerHandle, statementName, type Db } from "../db/index.ts";
import { apiKeys, PASSCODE_COLUMNS, userLinks, users, type ApiKeyRow, type UserWithoutPasscode } from "../db/schema.ts";
import type { Subject } from "./rbac.ts";

export interface Membership {
  organization_id: string;
  roles: string[];
}

/** The provider link behind a GitHub/OIDC session key (absent for other keys, or when unlinked). */
export interface ProviderLink {
  oauthExpiry: Date | null;
  hasRefreshToken: boolean;
}

/** `table`'s columns but `left`, for a selection that leaves them out. */
function columnsWithout<T extends Table, K extends keyof T["_"]["columns"] & string>(table: T, left: readonly K[]) {
  const columns: Partial<T["_"]["columns"]> = { ...getTableColumns(table) };
  for (const name of left) delete columns[name];
  return columns as Omit<T["_"]["columns"], K>;
}

/**
 * The key's columns nothing on a request's path reads (the session check, scopes and sign-out read the
 * rest): its creation bookkeeping, its name, an imported Coder key's hashed secret.
 */
const KEY_COLUMNS_UNREAD = ["hashedSecret", "createdAt", "updatedAt", "ipAddress", "tokenName"] as const;
export type ActorKey = Omit<ApiKeyRow, (typeof KEY_COLUMNS_UNREAD)[number]>;
const keyColumns = columnsWithout(apiKeys, KEY_COLUMNS_UNREAD);
/** The user's columns but the one-time passcode (src/users/lifecycle/post-otp-change-password.ts reads it). */
const userColumns = columnsWithout(users, PASSCODE_COLUMNS);

export interface Actor extends Subject {
  key: ActorKey;
  user: UserWithoutPasscode;
  memberships: Membership[];
  link: ProviderLink | undefined;
}

export const membershipsOf = (userId: unknown) =>
  sql<Membership[]>`coalesce((
    select json_agg(json_build_object('organization_id', m.organization_id, 'roles', m.roles) order by m.created_at)
    from organization_members m where m.user_id = ${userId}
  ), '[]'::json)`;

/**
 * The actor query, prepared: its SQL is built once per database handle instead of on every request, and
 * where the handle allows it (statementName) Postgres parses and plans it once per connection. Building
 * and planning it cost more than running it (npm run bench, docs/performance.md). On Workers the handle, and so the
 * preparation, lasts one request, as before.
 */
const actorQuery = preparedPerHandle((db: Db) =>
  db
    .select({
      key: keyColumns,
      user: userColumns,
      memberships: membershipsOf(users.id),
      // Same round trip: the link a GitHub/OIDC session depends on (Coder's coderd/httpmw/apikey.go).
      linkExpiry: userLinks.oauthExpiry,
      linkRefresh: sql<boolean | null>`${userLinks.oauthRefreshToken} <> ''`,
      linked: sql<boolean>`${userLinks.userId} is not null`,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(userLinks, and(eq(userLinks.userId, apiKeys.userId), eq(userLinks.loginType, apiKeys.loginType)))
    .where(and(eq(apiKeys.id, sql.placeholder("keyId")), eq(users.deleted, false)))
    .limit(1)
    .prepare(statementName(db, "gatehouse_load_actor")),
);

export async function loadActor(db: Db, keyId: string): Promise<Actor | undefined> {
  const [row] = await actorQuery(db).execute({ keyId });
  if (!row) return undefined;
  return {
    key: row.key,
    user: row.user,
    memberships: row.memberships,
    link: row.linked ? { oauthExpiry: row.linkExpiry, hasRefreshToken: row.linkRefresh === true } : undefined,
    userId: row.user.id,
    siteRoles: row.user.rbacRoles,
    scopes: row.key.scopes,
    allowList: row.key.allowList,
  };
}
