// Reads one consistent snapshot of a Coder database: the columns it has (older and newer Coder versions
// differ), then users, organizations, memberships, user links and Git SSH keys.
import type pg from "pg";
import { ImportError } from "./summary.ts";

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

export interface SourceUser {
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

export interface SourceOrganization {
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

export interface SourceMembership {
  user_id: string;
  organization_id: string;
  created_at: Date;
  updated_at: Date;
  roles: string[];
}

export interface SourceLink {
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

export interface SourceSshKey {
  user_id: string;
  created_at: Date;
  updated_at: Date;
  private_key: string;
  public_key: string;
  private_key_key_id: string | null;
}

export interface Snapshot {
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
    const expiry =
      expiryType === undefined ? "null::timestamptz" : `case when oauth_expiry < '${ZERO_TIME_BEFORE}' then null else oauth_expiry end`;
    const linksSql = `select ${selectList(columns, "user_links", ["user_id", "linked_id", "oauth_access_token", "oauth_refresh_token"], {
      oauth_access_token_key_id: "null::text",
      oauth_refresh_token_key_id: "null::text",
      claims: "'{}'::jsonb",
    })}, login_type::text as login_type, ${expiry} as oauth_expiry from user_links order by user_id, login_type`;
    const keysSql = `select ${selectList(columns, "gitsshkeys", ["user_id", "created_at", "updated_at", "private_key", "public_key"], {
      private_key_key_id: "null::text",
    })} from gitsshkeys order by user_id`;

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
