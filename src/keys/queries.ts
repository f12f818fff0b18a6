// Reading keys, always through the actor's permissions: a key the caller may not see is answered exactly
// like a key that does not exist (404), as Coder's authorised data layer does. Changing them: delete, expire and
// sign out (each with its audit record in the same statement), stamp a use, update a token's settings.
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../auth/actor.ts";
import { can, permits, type Action } from "../auth/rbac.ts";
import { type AuditRow, auditInsertFrom, auditParams } from "../audit/record.ts";
import { preparedSql, type Db } from "../db/index.ts";
import { apiKeys, users, type ApiKeyRow } from "../db/schema.ts";
import { notFound } from "../http/errors.ts";

export const mayAct = (actor: Actor, key: ApiKeyRow, action: Action): boolean =>
  can(actor, "api_key", action, { ownerId: key.userId, id: key.id });

/** The key with `id` if the actor may `action` it; 404 otherwise. */
export async function keyForAction(db: Db, actor: Actor, id: string, action: Action): Promise<ApiKeyRow> {
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!key || !mayAct(actor, key, action)) throw notFound();
  return key;
}

/** A named token (login type `token`) of `userId`, if the actor may read it; 404 otherwise. */
export async function tokenByName(db: Db, actor: Actor, userId: string, name: string): Promise<ApiKeyRow> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), eq(apiKeys.tokenName, name), eq(apiKeys.loginType, "token")))
    .limit(1);
  if (!key || !mayAct(actor, key, "read")) throw notFound();
  return key;
}

export interface TokenListing {
  /** Only this user's tokens; undefined: every user's (include_all). */
  userId: string | undefined;
  includeExpired: boolean;
  now: Date;
}

/**
 * Named tokens with their owners' usernames, oldest first, filtered by read permission. The SQL narrows to
 * the actor's own tokens when its roles and scopes cannot read others'; `can` then checks each row,
 * allow list included.
 */
export async function listTokens(db: Db, actor: Actor, listing: TokenListing): Promise<{ key: ApiKeyRow; username: string }[]> {
  const conditions: SQL[] = [eq(apiKeys.loginType, "token"), eq(users.deleted, false)];
  if (listing.userId !== undefined) conditions.push(eq(apiKeys.userId, listing.userId));
  if (!permits(actor, "api_key", "read")) conditions.push(eq(apiKeys.userId, actor.userId));
  if (!listing.includeExpired) conditions.push(gt(apiKeys.expiresAt, listing.now));
  const rows = await db
    .select({ key: apiKeys, username: users.username })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(...conditions))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
  return rows.filter((row) => mayAct(actor, row.key, "read"));
}

/** Where a record written once, whatever the change returned, selects from. */
const ONCE = sql`(values (1)) as once (n)`;

/**
 * A change to keys and its audit record in one statement, prepared, for a route that records itself
 * (src/audit/actions.ts): they commit together without a transaction. `change` is a data-modifying statement
 * returning the ids it touched; the record is written once for each (`perKey`) or once whatever it touched. A
 * data-modifying WITH query runs exactly once whatever reads it. Its placeholders are filled with auditParams'.
 */
function recordedChange(name: string, change: () => SQL, perKey: boolean) {
  return preparedSql(
    name,
    () => sql`with changed as (${change()}), record as (${auditInsertFrom(perKey ? sql.raw("changed") : ONCE)}) select id from changed`,
  );
}

const deleteStatement = recordedChange(
  "gatehouse_key_delete_recorded",
  () => sql`delete from ${apiKeys} where ${apiKeys.id} = ${sql.placeholder("keyId")} returning ${apiKeys.id}`,
  true,
);

/** Deletes the key with the record of the deletion; false, and nothing written, when it was already gone. */
export async function deleteKeyById(db: Db, id: string, record: AuditRow): Promise<boolean> {
  const deleted = await deleteStatement(db).execute({ keyId: id, ...auditParams(record) });
  return (deleted as { rows: unknown[] }).rows.length > 0;
}

const expireStatement = recordedChange(
  "gatehouse_key_expire_recorded",
  () => {
    const at = sql`${sql.param(sql.placeholder("at"), apiKeys.expiresAt)}::timestamptz`;
    return sql`update ${apiKeys} set ${sql.identifier(apiKeys.expiresAt.name)} = ${at}, ${sql.identifier(apiKeys.updatedAt.name)} = ${at} where ${apiKeys.id} = ${sql.placeholder("keyId")} and ${apiKeys.expiresAt} > ${at} returning ${apiKeys.id}`;
  },
  false,
);

/**
 * Expires the key at `at`, unless it has expired already (its earlier expiry stands), with the record of the
 * request, which succeeds either way.
 */
export async function expireKey(db: Db, id: string, at: Date, record: AuditRow): Promise<void> {
  await expireStatement(db).execute({ keyId: id, at, ...auditParams(record) });
}

const signOutStatement = recordedChange(
  "gatehouse_sign_out_recorded",
  () =>
    sql`delete from ${apiKeys} where ${apiKeys.id} = ${sql.placeholder("keyId")} or (${apiKeys.userId} = ${sql.placeholder("userId")} and 'coder:application_connect' = any(${apiKeys.scopes})) returning ${apiKeys.id}`,
  false,
);

/**
 * Signing out: the calling key and every application-connect key of its user deleted (as Coder does), with
 * the sign-out's record, written once, also when a concurrent sign-out deleted the key first.
 */
export async function signOut(db: Db, key: Pick<ApiKeyRow, "id" | "userId">, record: AuditRow): Promise<void> {
  await signOutStatement(db).execute({ keyId: key.id, userId: key.userId, ...auditParams(record) });
}

export interface KeyUse {
  keyId: string;
  at: Date;
  ip: string;
  /** The expiry the request read: the new one is written only if it is still the stored one. */
  readExpiry: Date;
  expiresAt: Date;
}

/**
 * One statement: the key's last use, address and (sliding) expiry, and its user's last-seen time. An
 * expiry changed since it was read (PUT .../expire, a password change) is left alone, never undone.
 *
 * Locks the user's row before the key's, the order every transaction that writes both takes (a password
 * change updates the user, then deletes the keys; a sign-in locks the user, then inserts a key). Taken the
 * other way round, a stamp holding the key while waiting for the user, and a password change holding the
 * user while waiting to delete the key, deadlock, and Postgres aborts one of them. The owner's id comes
 * from an uncorrelated scalar subquery, which Postgres runs once before the key's row is read and locked.
 */
export async function recordKeyUse(db: Db, use: KeyUse): Promise<void> {
  const { keyId, at, ip, readExpiry, expiresAt } = use;
  await db.execute(sql`
      with owner as (
        select id from users where id = (select user_id from api_keys where id = ${keyId}) for no key update
      ), touched as (
        update api_keys set last_used = ${at}, ip_address = ${ip}, updated_at = ${at},
          expires_at = case when expires_at = ${readExpiry} then ${expiresAt} else expires_at end
        where id = ${keyId} and user_id = (select id from owner) returning user_id
      )
      update users set last_seen_at = ${at}, updated_at = ${at} where id = (select user_id from touched)`);
}

export interface KeySettings {
  scopes: string[];
  allowList: string[];
  lifetimeSeconds: number;
  expiresAt: Date;
  updatedAt: Date;
}

/** A token's scopes, allow list and expiry, replaced in one statement; undefined when the key is gone. */
export async function updateKeySettings(db: Db, id: string, settings: KeySettings): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set(settings).where(eq(apiKeys.id, id)).returning();
  return row;
}
