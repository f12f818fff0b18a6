// Copies the people of a Coder deployment into Gatehouse: users, organizations, memberships, user links
// and Git SSH keys, keeping every id, so a re-run updates rather than duplicates. Gatehouse's columns
// follow Coder's (spec/behavior.md §4.2); the differences handled here:
// - hashed_password is bytea in Coder, text here (Coder's PBKDF2 strings verify on login, src/auth/pbkdf2.ts);
// - last_seen_at is a timestamp without time zone with '0001-01-01' for "never" in Coder, NULL here;
// - secrets Coder encrypted at rest (dbcrypt: the *_key_id columns are set) are unreadable without
//   Coder's key: such OAuth tokens are dropped and such SSH keys are replaced by freshly generated ones;
// - pending one-time passcodes are not copied (they expire within minutes anyway);
// - `member` / `organization-member` are implied roles, never stored in Gatehouse.
// Columns that newer Coder versions added (is_system, is_service_account, …) default when absent.
import { and, eq, getTableColumns, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type pg from "pg";
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

export class ImportError extends Error {
  override name = "ImportError";
}

export interface TableCount {
  /** Rows read from Coder. */
  read: number;
  inserted: number;
  /** Rows already in Gatehouse that Coder has a newer version of. */
  updated: number;
}

export interface ImportSummary {
  users: TableCount;
  organizations: TableCount;
  memberships: TableCount;
  userLinks: TableCount;
  gitSshKeys: TableCount;
  /** Users given a new SSH key: theirs was encrypted by Coder, or they had none. */
  generatedSshKeys: number;
  /** OAuth tokens dropped because Coder stored them encrypted. */
  droppedEncryptedTokens: number;
  /** Links of deleted users, which Coder keeps but Gatehouse refuses (§4.3 triggers). */
  skippedUserLinks: number;
  /** Coder users whose password is a PBKDF2 hash: each becomes argon2id at its first login here. */
  pbkdf2Passwords: number;
}

const CHUNK = 500;
const ZERO_TIME_BEFORE = "0002-01-01";

type Columns = Map<string, Map<string, string>>;

/** public.<table> columns and their types, as Coder's migrations left them. */
async function readColumns(source: pg.Client): Promise<Columns> {
  const { rows } = await source.query<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
     where table_schema = 'public' and table_name = any($1)`,
    [["users", "organizations", "organization_members", "user_links", "gitsshkeys"]],
  );
  const tables: Columns = new Map();
  for (const r of rows) {
    if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
    tables.get(r.table_name)!.set(r.column_name, r.data_type);
  }
  return tables;
}

/** A select list: required columns must exist; optional ones fall back to a constant. */
function selectList(columns: Columns, table: string, required: string[], optional: Record<string, string>): string {
  const present = columns.get(table);
  if (!present) throw new ImportError(`the source is not a Coder database: it has no table "${table}"`);
  const missing = required.filter((c) => !present.has(c));
  if (missing.length > 0) throw new ImportError(`the source is not a Coder database: "${table}" lacks ${missing.join(", ")}`);
  return [
    ...required.map((c) => `"${c}"`),
    ...Object.entries(optional).map(([c, fallback]) => (present.has(c) ? `"${c}"` : `${fallback} as "${c}"`)),
  ].join(", ");
}

interface SourceUser {
  id: string;
  email: string;
  username: string;
  hashed_password: Buffer | null;
  created_at: Date;
  updated_at: Date;
  status: string;
  rbac_roles: string[];
  login_type: string;
  avatar_url: string;
  deleted: boolean;
  last_seen_at: Date | null;
  quiet_hours_schedule: string;
  name: string;
  github_com_user_id: string | null;
  is_system: boolean;
  is_service_account: boolean;
}

interface SourceOrganization {
  id: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
  is_default: boolean;
  display_name: string | null;
  icon: string;
  deleted: boolean;
}

interface SourceMembership {
  user_id: string;
  organization_id: string;
  created_at: Date;
  updated_at: Date;
  roles: string[];
}

interface SourceLink {
  user_id: string;
  login_type: string;
  linked_id: string;
  oauth_access_token: string;
  oauth_refresh_token: string;
  oauth_expiry: Date | null;
  oauth_access_token_key_id: string | null;
  oauth_refresh_token_key_id: string | null;
  claims: unknown;
}

interface SourceSshKey {
  user_id: string;
  created_at: Date;
  updated_at: Date;
  private_key: string;
  public_key: string;
  private_key_key_id: string | null;
}

interface Snapshot {
  users: SourceUser[];
  organizations: SourceOrganization[];
  memberships: SourceMembership[];
  links: SourceLink[];
  sshKeys: SourceSshKey[];
}

/** One consistent snapshot of the source: a read-only, repeatable-read transaction. */
export async function readCoder(source: pg.Client): Promise<Snapshot> {
  await source.query("begin isolation level repeatable read read only");
  try {
    const columns = await readColumns(source);
    // Coder's zero time means "never"; a timestamp without time zone holds UTC (Coder writes UTC).
    const lastSeenType = columns.get("users")?.get("last_seen_at");
    const lastSeen =
      lastSeenType === undefined
        ? "null"
        : `case when last_seen_at < '${ZERO_TIME_BEFORE}' then null else last_seen_at${
            lastSeenType === "timestamp without time zone" ? " at time zone 'UTC'" : ""
          } end`;
    const usersSql = `select ${selectList(
      columns,
      "users",
      ["id", "email", "username", "hashed_password", "created_at", "updated_at", "rbac_roles", "avatar_url", "deleted"],
      { quiet_hours_schedule: "''", name: "''", github_com_user_id: "null::bigint", is_system: "false", is_service_account: "false" },
    )}, status::text as status, login_type::text as login_type, ${lastSeen} as last_seen_at from users order by created_at, id`;
    const orgsSql = `select ${selectList(
      columns,
      "organizations",
      ["id", "name", "description", "created_at", "updated_at", "is_default"],
      { display_name: "null::text", icon: "''", deleted: "false" },
    )} from organizations order by created_at, id`;
    const membersSql = `select ${selectList(
      columns,
      "organization_members",
      ["user_id", "organization_id", "created_at", "updated_at", "roles"],
      {},
    )} from organization_members order by created_at, organization_id, user_id`;
    const expiryType = columns.get("user_links")?.get("oauth_expiry");
    const expiry = expiryType === undefined ? "null::timestamptz" : `case when oauth_expiry < '${ZERO_TIME_BEFORE}' then null else oauth_expiry end`;
    const linksSql = `select ${selectList(
      columns,
      "user_links",
      ["user_id", "linked_id", "oauth_access_token", "oauth_refresh_token"],
      { oauth_access_token_key_id: "null::text", oauth_refresh_token_key_id: "null::text", claims: "'{}'::jsonb" },
    )}, login_type::text as login_type, ${expiry} as oauth_expiry from user_links order by user_id, login_type`;
    const keysSql = `select ${selectList(
      columns,
      "gitsshkeys",
      ["user_id", "created_at", "updated_at", "private_key", "public_key"],
      { private_key_key_id: "null::text" },
    )} from gitsshkeys order by user_id`;

    const snapshot: Snapshot = {
      users: (await source.query<SourceUser>(usersSql)).rows,
      organizations: (await source.query<SourceOrganization>(orgsSql)).rows,
      memberships: (await source.query<SourceMembership>(membersSql)).rows,
      links: (await source.query<SourceLink>(linksSql)).rows,
      sshKeys: (await source.query<SourceSshKey>(keysSql)).rows,
    };
    await source.query("commit");
    return snapshot;
  } catch (err) {
    await source.query("rollback").catch(() => undefined);
    throw err;
  }
}

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
    await adoptDefaultOrganization(tx, snapshot.organizations.find((o) => o.is_default));

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
    const userCount = await upsert(tx, users, userRows, { target: users.id, update: columnsExcept(users, users.id), newer: users.updatedAt });

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
      readable.map((k) => ({ userId: k.user_id, createdAt: k.created_at, updatedAt: k.updated_at, privateKey: k.private_key, publicKey: k.public_key })),
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
        await tx.insert(gitSshKeys).values({ userId: id, privateKey: pair.privateKey, publicKey: pair.publicKey, createdAt: now, updatedAt: now });
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
