// Database fixtures for the node suites: users and organizations inserted straight into the database
// (no request, and no argon2 per row unless a password is asked for), and readers of the rows the
// routes write, which is what most tests judge an endpoint by.
import { eq, sql } from "drizzle-orm";
import {
  apiKeys,
  auditLogs,
  gitSshKeys,
  organizationMembers,
  organizations,
  templateParameterValues,
  userConfigs,
  userLinks,
  users,
  type ApiKeyRow,
  type UserRow,
} from "../../src/db/schema.ts";
import type { TestApp } from "./node-app.ts";

export async function defaultOrgId(app: TestApp): Promise<string> {
  const [org] = await app.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  return org!.id;
}

/** An organization besides the default one, with `members` in it. */
export async function addOrganization(app: TestApp, name: string, options: { members?: string[]; deleted?: boolean } = {}) {
  const [org] = await app.db
    .insert(organizations)
    .values({
      name,
      displayName: name.toUpperCase(),
      description: `The ${name} org`,
      icon: "/icon/x.svg",
      deleted: options.deleted ?? false,
    })
    .returning();
  for (const userId of options.members ?? []) await app.db.insert(organizationMembers).values({ userId, organizationId: org!.id });
  return org!;
}

export type Seed = Partial<typeof users.$inferInsert> & { username: string };

/** Inserts users (members of the default org) in one statement; email defaults to `<username>@example.com`. */
export async function seedUsers(app: TestApp, seeds: Seed[]): Promise<UserRow[]> {
  const org = await defaultOrgId(app);
  const rows = await app.db
    .insert(users)
    .values(seeds.map((s) => ({ email: `${s.username.toLowerCase()}@example.com`, status: "active" as const, ...s })))
    .returning();
  await app.db.insert(organizationMembers).values(rows.map((r) => ({ userId: r.id, organizationId: org })));
  return rows;
}

export interface MemberInput {
  email: string;
  username: string;
  password?: string;
  status?: UserRow["status"];
  rbacRoles?: string[];
  hashedPassword?: string;
}

/** One password member of the default organization, its password hashed as login expects. */
export async function insertMember(app: TestApp, input: MemberInput): Promise<UserRow> {
  const hashedPassword = input.hashedPassword ?? (input.password ? await app.deps.hasher.hash(input.password) : "");
  const [user] = await seedUsers(app, [
    {
      email: input.email,
      username: input.username,
      hashedPassword,
      status: input.status ?? "active",
      rbacRoles: input.rbacRoles ?? [],
      loginType: "password",
    },
  ]);
  return user!;
}

/** The user's row, deleted or not. */
export async function userRow(app: TestApp, id: string): Promise<UserRow> {
  const [row] = await app.db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

export async function userCount(app: TestApp): Promise<number> {
  return (await app.db.select({ id: users.id }).from(users)).length;
}

export async function lastSeenAt(app: TestApp, userId: string): Promise<Date | null> {
  const [row] = await app.db.select({ at: users.lastSeenAt }).from(users).where(eq(users.id, userId));
  return row!.at;
}

export async function keysOf(app: TestApp, userId: string): Promise<ApiKeyRow[]> {
  return app.db.select().from(apiKeys).where(eq(apiKeys.userId, userId));
}

export async function keyCount(app: TestApp, userId: string): Promise<number> {
  return (await keysOf(app, userId)).length;
}

export async function keyRow(app: TestApp, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

export async function linkCount(app: TestApp, userId: string): Promise<number> {
  return (await app.db.select({ id: userLinks.userId }).from(userLinks).where(eq(userLinks.userId, userId))).length;
}

export async function configsOf(app: TestApp, userId: string): Promise<Record<string, string>> {
  const rows = await app.db.select().from(userConfigs).where(eq(userConfigs.userId, userId));
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function sshKeyRow(app: TestApp, userId: string) {
  const [row] = await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, userId));
  return row;
}

export async function addParameterValue(
  app: TestApp,
  values: { userId: string; templateId: string; name: string; value: string; ephemeral?: boolean; createdAt: Date },
) {
  await app.db.insert(templateParameterValues).values(values);
}

/** Every audit row, once the work deferred past earlier responses has run. */
export async function auditRowsOf(app: TestApp) {
  await app.settle();
  return app.db.select().from(auditLogs);
}

/** The audit rows a response produced, found by its request id, once the work deferred past it has run. */
export async function auditRowsFor(app: TestApp, res: Response) {
  await app.settle();
  return app.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.requestId, res.headers.get("x-request-id")!));
}

const recorders = new WeakMap<TestApp, { sent: string[] }>();

/**
 * Every statement the app's own database handle sends from now on, in order (the test's own queries
 * through `app.db` among them): a fresh list each call, the handle's logger wrapped once per app.
 */
export function recordStatements(app: TestApp): string[] {
  let recorder = recorders.get(app);
  if (!recorder) {
    const current = { sent: [] as string[] };
    const log = app.queries.logQuery.bind(app.queries);
    app.queries.logQuery = (statement, params) => {
      current.sent.push(statement);
      log(statement, params);
    };
    recorders.set(app, (recorder = current));
  }
  recorder.sent = [];
  return recorder.sent;
}

/**
 * Resolves once some statement of this database waits for a lock another connection holds; throws after
 * about 5 s. The real Postgres only: PGlite runs one statement at a time, so nothing can wait on a lock.
 */
export async function someoneWaits(app: TestApp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await app.db.execute(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows as unknown as { rows: { n: number }[] }).rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no statement ever waited for the held lock");
}

/**
 * One hash of every row of `tables`, once the work deferred past earlier responses has run: equal before
 * and after a request means the request changed none of them.
 */
export async function tablesFingerprint(app: TestApp, tables: readonly string[]): Promise<string> {
  await app.settle();
  const parts = tables.map((t) => sql`coalesce((select string_agg(x::text, '|' order by x::text) from ${sql.identifier(t)} x), '')`);
  const result = (await app.db.execute(sql`select md5(concat_ws('#', ${sql.join(parts, sql`, `)})) as h`)) as unknown as {
    rows: { h: string }[];
  };
  return result.rows[0]!.h;
}
