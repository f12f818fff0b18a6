// Writes a Coder snapshot into Gatehouse in one transaction, converting what differs (see coder.ts).
import { and, eq, getTableColumns, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db, Tx } from "../db/index.ts";
import {
  gitSshKeys,
  loginType as loginTypeEnum,
  organizationMembers,
  organizations,
  userLinks,
  users,
  userStatus as userStatusEnum,
  type LoginType,
  type UserStatus,
} from "../db/schema.ts";
import { generateSshKeyPair } from "../gitsshkey/keygen.ts";
import type { Snapshot, SourceOrganization } from "./read.ts";
import { ImportError, type ImportSummary, type TableCount } from "./summary.ts";

const CHUNK = 500;

const STATUSES = new Set<string>(userStatusEnum.enumValues);
const LOGIN_TYPES = new Set<string>(loginTypeEnum.enumValues);

function status(value: string, userId: string): UserStatus {
  if (!STATUSES.has(value)) throw new ImportError(`user ${userId}: unknown status "${value}"`);
  return value as UserStatus;
}

function loginType(value: string, where: string): LoginType {
  if (!LOGIN_TYPES.has(value)) throw new ImportError(`${where}: unknown login type "${value}"`);
  return value as LoginType;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Coder stores the PHC-like string's ASCII bytes; anything undecodable cannot be a password hash. */
function passwordText(bytes: Buffer | null, userId: string): string {
  if (!bytes || bytes.length === 0) return "";
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ImportError(`user ${userId}: hashed_password is not a Coder password hash`);
  }
}

/** `set` for ON CONFLICT DO UPDATE: every listed column takes the incoming row's value. */
function fromExcluded(columns: Record<string, PgColumn>): Record<string, SQL> {
  return Object.fromEntries(Object.entries(columns).map(([key, col]) => [key, sql.raw(`excluded."${col.name}"`)]));
}

/** Insert-or-update in chunks, counting which rows were new (xmax = 0) and which were updated. */
async function upsert<T extends PgTable>(
  tx: Tx,
  table: T,
  rows: T["$inferInsert"][],
  conflict: { target: PgColumn | PgColumn[]; update?: Record<string, PgColumn>; newer?: PgColumn },
): Promise<TableCount> {
  const count: TableCount = { read: rows.length, inserted: 0, updated: 0 };
  for (let i = 0; i < rows.length; i += CHUNK) {
    const insert = tx.insert(table).values(rows.slice(i, i + CHUNK));
    const written = conflict.update
      ? insert.onConflictDoUpdate({
          target: conflict.target,
          set: fromExcluded(conflict.update),
          // Last writer wins: Gatehouse's copy is kept when it changed after Coder's (a login rehash,
          // a password change made here).
          ...(conflict.newer ? { setWhere: sql`${conflict.newer} < excluded.${sql.identifier(conflict.newer.name)}` } : {}),
        })
      : insert.onConflictDoNothing({ target: conflict.target });
    const result = (await written.returning({ inserted: sql<boolean>`(xmax = 0)` })) as { inserted: boolean }[];
    for (const r of result) r.inserted ? count.inserted++ : count.updated++;
  }
  return count;
}

/** Columns of a Drizzle table except the conflict key, for DO UPDATE. */
function columnsExcept<T extends PgTable>(table: T, ...keys: PgColumn[]): Record<string, PgColumn> {
  const all = getTableColumns(table) as Record<string, PgColumn>;
  return Object.fromEntries(Object.entries(all).filter(([, c]) => !keys.includes(c)));
}

/**
 * Coder's migrations create its default organization, and so do Gatehouse's, each with its own id. A
 * Gatehouse database nobody has joined yet takes Coder's (so ids carry over); one already in use is
 * refused rather than merged, since its users could collide with Coder's.
 */
async function adoptDefaultOrganization(tx: Tx, sourceDefault: SourceOrganization | undefined): Promise<void> {
  if (!sourceDefault) return;
  const [target] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  if (!target || target.id === sourceDefault.id) return;
  const [members] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(organizationMembers)
    .where(eq(organizationMembers.organizationId, target.id));
  if ((members?.n ?? 0) > 0) {
    throw new ImportError(
      `this Gatehouse database's default organization (${target.id}) already has members; import into a fresh database`,
    );
  }
  await tx.delete(organizations).where(eq(organizations.id, target.id));
}

const dropImplied = (roles: string[] | null, implied: string) => [...new Set((roles ?? []).filter((r) => r !== implied))];

/** Writes a snapshot into Gatehouse in one transaction. Re-running with the same source changes nothing. */
export async function writeToGatehouse(db: Db, snapshot: Snapshot, now = new Date()): Promise<ImportSummary> {
  return db.transaction(async (tx) => {
    await adoptDefaultOrganization(
      tx,
      snapshot.organizations.find((o) => o.is_default),
    );

    const orgRows = snapshot.organizations.map((o) => ({
      id: o.id,
      name: o.name,
      displayName: o.display_name || o.name,
      description: o.description,
      icon: o.icon,
      createdAt: o.created_at,
      updatedAt: o.updated_at,
      isDefault: o.is_default,
      deleted: o.deleted,
    }));
    const orgCount = await upsert(tx, organizations, orgRows, {
      target: organizations.id,
      update: columnsExcept(organizations, organizations.id),
      newer: organizations.updatedAt,
    });

    let pbkdf2Passwords = 0;
    const userRows = snapshot.users.map((u) => {
      const hashedPassword = passwordText(u.hashed_password, u.id);
      if (hashedPassword.startsWith("$pbkdf2-sha256$")) pbkdf2Passwords++;
      return {
        id: u.id,
        email: u.email,
        username: u.username,
        hashedPassword,
        createdAt: u.created_at,
        updatedAt: u.updated_at,
        status: status(u.status, u.id),
        rbacRoles: dropImplied(u.rbac_roles, "member"),
        loginType: loginType(u.login_type, `user ${u.id}`),
        avatarUrl: u.avatar_url,
        deleted: u.deleted,
        lastSeenAt: u.last_seen_at,
        quietHoursSchedule: u.quiet_hours_schedule,
        name: u.name,
        githubComUserId: u.github_com_user_id === null ? null : Number(u.github_com_user_id),
        hashedOneTimePasscode: null,
        oneTimePasscodeExpiresAt: null,
        isSystem: u.is_system,
        isServiceAccount: u.is_service_account,
      };
    });
    const userCount = await upsert(tx, users, userRows, {
      target: users.id,
      update: columnsExcept(users, users.id),
      newer: users.updatedAt,
    });

    const memberRows = snapshot.memberships.map((m) => ({
      userId: m.user_id,
      organizationId: m.organization_id,
      createdAt: m.created_at,
      updatedAt: m.updated_at,
      roles: dropImplied(m.roles, "organization-member"),
    }));
    const memberCount = await upsert(tx, organizationMembers, memberRows, {
      target: [organizationMembers.organizationId, organizationMembers.userId],
      update: { roles: organizationMembers.roles, updatedAt: organizationMembers.updatedAt },
      newer: organizationMembers.updatedAt,
    });

    const deleted = new Set(snapshot.users.filter((u) => u.deleted).map((u) => u.id));
    let droppedEncryptedTokens = 0;
    const linkRows = snapshot.links
      .filter((l) => !deleted.has(l.user_id))
      .map((l) => {
        const encrypted = l.oauth_access_token_key_id !== null || l.oauth_refresh_token_key_id !== null;
        if (encrypted && (l.oauth_access_token || l.oauth_refresh_token)) droppedEncryptedTokens++;
        return {
          userId: l.user_id,
          loginType: loginType(l.login_type, `user link of ${l.user_id}`),
          linkedId: l.linked_id,
          oauthAccessToken: encrypted ? "" : l.oauth_access_token,
          oauthRefreshToken: encrypted ? "" : l.oauth_refresh_token,
          oauthExpiry: l.oauth_expiry,
          claims: l.claims ?? {},
        };
      });
    // Links carry no timestamp to compare, and Gatehouse's own sign-ins keep them current: insert only.
    const linkCount = await upsert(tx, userLinks, linkRows, { target: [userLinks.userId, userLinks.loginType] });
    linkCount.read = snapshot.links.length;

    const readable = snapshot.sshKeys.filter((k) => k.private_key_key_id === null);
    const keyCount = await upsert(
      tx,
      gitSshKeys,
      readable.map((k) => ({
        userId: k.user_id,
        createdAt: k.created_at,
        updatedAt: k.updated_at,
        privateKey: k.private_key,
        publicKey: k.public_key,
      })),
      { target: gitSshKeys.userId, update: columnsExcept(gitSshKeys, gitSshKeys.userId), newer: gitSshKeys.updatedAt },
    );
    keyCount.read = snapshot.sshKeys.length;

    // Every Gatehouse user has a Git SSH key (POST /users creates one): give one to whoever lacks it.
    let generatedSshKeys = 0;
    const ids = snapshot.users.map((u) => u.id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const lacking = await tx
        .select({ id: users.id })
        .from(users)
        .leftJoin(gitSshKeys, eq(gitSshKeys.userId, users.id))
        .where(and(inArray(users.id, ids.slice(i, i + CHUNK)), isNull(gitSshKeys.userId)));
      for (const { id } of lacking) {
        const pair = await generateSshKeyPair();
        await tx
          .insert(gitSshKeys)
          .values({ userId: id, privateKey: pair.privateKey, publicKey: pair.publicKey, createdAt: now, updatedAt: now });
        generatedSshKeys++;
      }
    }

    return {
      users: userCount,
      organizations: orgCount,
      memberships: memberCount,
      userLinks: linkCount,
      gitSshKeys: keyCount,
      generatedSshKeys,
      droppedEncryptedTokens,
      skippedUserLinks: snapshot.links.length - linkRows.length,
      pbkdf2Passwords,
    };
  });
}
