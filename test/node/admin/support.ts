// Fixtures for the GET/POST /users suites: request helpers, users inserted in bulk straight into the
// database (no argon2 per row, so fifty users cost one statement), and sessions minted without a login.
import { eq } from "drizzle-orm";
import { organizationMembers, organizations, users, type UserRow } from "../../../src/db/schema.ts";
import { issueKey } from "../../../src/keys/issue.ts";
import type { TestApp } from "../../support/node-app.ts";

export const USERS = "/api/v2/users";
export const STRONG = "SomeSecurePassword!";

export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: { field: string; detail: string }[];
}

export interface UserBody {
  id: string;
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  status: string;
  login_type: string;
  theme_preference: string;
  is_service_account: boolean;
  has_ai_seat: boolean;
  organization_ids: string[];
  roles: { name: string; display_name: string }[];
}

export interface UsersPage {
  users: UserBody[];
  count: number;
}

export const body = async <T = ErrorBody>(res: Response): Promise<T> => (await res.json()) as T;

export const createUser = (app: TestApp, token: string, json: unknown) => app.request(USERS, { method: "POST", json, token });

/** GET /users with `params` encoded as a query string. */
export const listUsers = (app: TestApp, token: string, params: Record<string, string> = {}) => {
  const qs = new URLSearchParams(params).toString();
  return app.request(qs ? `${USERS}?${qs}` : USERS, { token });
};

/** The usernames of a successful GET /users, in response order. */
export async function names(app: TestApp, token: string, params: Record<string, string> = {}): Promise<{ names: string[]; count: number }> {
  const res = await listUsers(app, token, params);
  if (res.status !== 200) throw new Error(`GET /users ${JSON.stringify(params)}: ${res.status} ${await res.text()}`);
  const page = await body<UsersPage>(res);
  return { names: page.users.map((u) => u.username), count: page.count };
}

export async function defaultOrgId(app: TestApp): Promise<string> {
  const [org] = await app.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  return org!.id;
}

export async function addOrganization(app: TestApp, name: string): Promise<string> {
  const [org] = await app.db.insert(organizations).values({ name, displayName: name }).returning({ id: organizations.id });
  return org!.id;
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

/** A session for `userId` without a password login (scopes default to coder:all). */
export async function sessionFor(app: TestApp, userId: string, scopes?: string[]): Promise<string> {
  const { token } = await issueKey(app.deps, app.db, { userId, loginType: "password", lifetimeMs: 3600_000, ip: "127.0.0.1", ...(scopes ? { scopes } : {}) });
  return token;
}

export async function userRow(app: TestApp, id: string): Promise<UserRow | undefined> {
  const [row] = await app.db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function userCount(app: TestApp): Promise<number> {
  return (await app.db.select({ id: users.id }).from(users)).length;
}
