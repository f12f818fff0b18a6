// The data model of the whole Users API (Coder's coderd/database/dump.sql). Column names follow Coder's schema so
// that a Coder database maps onto this one column for column.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  inet,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

export const userStatus = pgEnum("user_status", ["active", "suspended", "dormant"]);
export const loginType = pgEnum("login_type", ["password", "github", "oidc", "token", "none", "oauth2_provider_app"]);

export type UserStatus = (typeof userStatus.enumValues)[number];
export type LoginType = (typeof loginType.enumValues)[number];

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => tstz("created_at").notNull().defaultNow();
const updatedAt = () => tstz("updated_at").notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    username: text("username").notNull(),
    // An argon2id PHC string (or an imported Coder PBKDF2 string); '' means "no password".
    hashedPassword: text("hashed_password").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    status: userStatus("status").notNull().default("dormant"),
    // Site roles only; `member` is implied and never stored.
    rbacRoles: text("rbac_roles").array().notNull().default(sql`'{}'::text[]`),
    loginType: loginType("login_type").notNull().default("password"),
    avatarUrl: text("avatar_url").notNull().default(""),
    deleted: boolean("deleted").notNull().default(false),
    // NULL is Coder's zero time ("never seen"); JavaScript cannot parse year 1 reliably.
    lastSeenAt: tstz("last_seen_at"),
    quietHoursSchedule: text("quiet_hours_schedule").notNull().default(""),
    name: text("name").notNull().default(""),
    githubComUserId: bigint("github_com_user_id", { mode: "number" }),
    hashedOneTimePasscode: text("hashed_one_time_passcode"),
    oneTimePasscodeExpiresAt: tstz("one_time_passcode_expires_at"),
    isSystem: boolean("is_system").notNull().default(false),
    isServiceAccount: boolean("is_service_account").notNull().default(false),
  },
  (t) => [
    // Unique case-insensitively among live users; a deleted user's name and email can be reused.
    uniqueIndex("users_username_lower_idx").on(sql`lower(${t.username})`).where(sql`${t.deleted} = false`),
    uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`).where(sql`${t.deleted} = false AND ${t.email} <> ''`),
    check("users_username_min_length", sql`length(${t.username}) >= 1`),
    check("users_email_not_empty", sql`(${t.isServiceAccount} = true) = (${t.email} = '')`),
    check("users_service_account_login_type", sql`${t.isServiceAccount} = false OR ${t.loginType} = 'none'`),
    check("users_otp_both_or_neither", sql`(${t.hashedOneTimePasscode} IS NULL) = (${t.oneTimePasscodeExpiresAt} IS NULL)`),
  ],
);

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    displayName: text("display_name").notNull(),
    description: text("description").notNull().default(""),
    icon: text("icon").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    isDefault: boolean("is_default").notNull().default(false),
    deleted: boolean("deleted").notNull().default(false),
  },
  (t) => [
    uniqueIndex("organizations_name_lower_idx").on(sql`lower(${t.name})`).where(sql`${t.deleted} = false`),
    // At most one default organization.
    uniqueIndex("organizations_single_default_idx").on(t.isDefault).where(sql`${t.isDefault} = true`),
  ],
);

export const organizationMembers = pgTable(
  "organization_members",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    // Org roles only; `organization-member` is implied and never stored.
    roles: text("roles").array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index("organization_members_user_id_idx").on(t.userId)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    // The token's `jti`: 10 alphanumeric characters, as Coder's key ids.
    id: text("id").primaryKey(),
    // Gatehouse tokens are signed JWTs and carry no secret to hash; kept for imported Coder keys.
    hashedSecret: bytea("hashed_secret"),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lastUsed: tstz("last_used").notNull().default(sql`'1970-01-01 00:00:00+00'`),
    expiresAt: tstz("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    loginType: loginType("login_type").notNull(),
    lifetimeSeconds: bigint("lifetime_seconds", { mode: "number" }).notNull().default(86400),
    ipAddress: inet("ip_address").notNull().default("0.0.0.0"),
    tokenName: text("token_name").notNull().default(""),
    scopes: text("scopes").array().notNull().default(sql`'{coder:all}'::text[]`),
    allowList: text("allow_list").array().notNull().default(sql`'{*:*}'::text[]`),
  },
  (t) => [
    index("api_keys_user_id_idx").on(t.userId),
    uniqueIndex("api_keys_token_name_idx").on(t.userId, t.tokenName).where(sql`${t.loginType} = 'token'`),
    check("api_keys_allow_list_not_empty", sql`cardinality(${t.allowList}) > 0`),
  ],
);

export const userConfigs = pgTable(
  "user_configs",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 256 }).notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export const gitSshKeys = pgTable("gitsshkeys", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  privateKey: text("private_key").notNull(),
  publicKey: text("public_key").notNull(),
});

export const userLinks = pgTable(
  "user_links",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    loginType: loginType("login_type").notNull(),
    linkedId: text("linked_id").notNull().default(""),
    oauthAccessToken: text("oauth_access_token").notNull().default(""),
    oauthRefreshToken: text("oauth_refresh_token").notNull().default(""),
    oauthExpiry: tstz("oauth_expiry"),
    claims: jsonb("claims").notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.loginType] }),
    uniqueIndex("user_links_linked_id_login_type_idx").on(t.linkedId, t.loginType).where(sql`${t.linkedId} <> ''`),
  ],
);

/**
 * Parameter values of a user's builds, per template, written by the service that runs builds (Gatehouse
 * has no workspaces). GET /users/{user}/autofill-parameters reads the latest non-ephemeral value per name.
 */
export const templateParameterValues = pgTable(
  "template_parameter_values",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    templateId: uuid("template_id").notNull(),
    name: text("name").notNull(),
    value: text("value").notNull(),
    ephemeral: boolean("ephemeral").notNull().default(false),
    createdAt: createdAt(),
  },
  // Serves "latest value per name" for one user and template straight from the index.
  (t) => [index("template_parameter_values_lookup_idx").on(t.userId, t.templateId, t.name, t.createdAt.desc())],
);

/**
 * Notifications a user turned off, per notification template (Coder's notification_preferences). A missing
 * row means enabled. The template ids are Gatehouse's own, listed in src/users/notifications/.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    notificationTemplateId: uuid("notification_template_id").notNull(),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.notificationTemplateId] })],
);

/** A browser's Web Push subscription (Coder's webpush_subscriptions), stored for the service that sends pushes. */
export const webpushSubscriptions = pgTable(
  "webpush_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    endpoint: text("endpoint").notNull(),
    endpointP256dhKey: text("endpoint_p256dh_key").notNull(),
    endpointAuthKey: text("endpoint_auth_key").notNull(),
  },
  (t) => [index("webpush_subscriptions_user_id_idx").on(t.userId)],
);

/**
 * Fixed-window request counters for the login-group rate limits (src/security/rate-limit.ts). One row per
 * key (route + client IP, or route + hashed account); kept in Postgres so every Node instance and Worker
 * isolate shares one count. Rows of past windows are pruned by the limiter.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    windowStart: tstz("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [index("rate_limits_window_start_idx").on(t.windowStart)],
);

/**
 * One row per state-changing request (src/audit/), Coder's audit_logs columns. No foreign keys: the record
 * of what happened must outlive the user and the key it names. `diff` holds only allow-listed request
 * fields; secret fields appear as `{"secret": true}` without a value.
 */
export const auditLogs = pgTable(
  "audit_logs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    time: tstz("time").notNull().defaultNow(),
    userId: uuid("user_id"),
    organizationId: uuid("organization_id"),
    ip: inet("ip"),
    userAgent: text("user_agent").notNull().default(""),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id").notNull().default(""),
    resourceTarget: text("resource_target").notNull().default(""),
    action: text("action").notNull(),
    diff: jsonb("diff").notNull().default(sql`'{}'::jsonb`),
    statusCode: integer("status_code").notNull(),
    additionalFields: jsonb("additional_fields").notNull().default(sql`'{}'::jsonb`),
    requestId: text("request_id").notNull().default(""),
  },
  (t) => [
    // Newest first is the only order GET /audit reads in.
    index("audit_logs_time_idx").on(t.time.desc(), t.id.desc()),
    index("audit_logs_user_id_idx").on(t.userId),
  ],
);

export type AuditLogRow = typeof auditLogs.$inferSelect;

export type UserRow = typeof users.$inferSelect;
/** The one-time passcode's columns: only the passcode change reads them, by its own query. */
export const PASSCODE_COLUMNS = ["hashedOneTimePasscode", "oneTimePasscodeExpiresAt"] as const;
/** A user's row as requests hold it: without the one-time passcode. */
export type UserWithoutPasscode = Omit<UserRow, (typeof PASSCODE_COLUMNS)[number]>;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
