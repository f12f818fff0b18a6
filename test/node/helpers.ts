// Helpers shared by the node suites: typed JSON bodies, direct database fixtures (users the API cannot
// create yet), and small readers of api_keys rows.
import { eq } from "drizzle-orm";
import { organizationMembers, organizations, users, apiKeys, type ApiKeyRow, type UserRow } from "../../src/db/schema.ts";
import type { DeferredTask } from "../../src/deps.ts";
import type { TestApp } from "../support/node-app.ts";

export const API = "/api/v2";

export const SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue.";
export const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };

export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: { field: string; detail: string }[];
}

export async function json<T = ErrorBody>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const post = (app: TestApp, path: string, body: unknown, token?: string) =>
  app.request(`${API}${path}`, { method: "POST", json: body, ...(token ? { token } : {}) });

export const get = (app: TestApp, path: string, token?: string) => app.request(`${API}${path}`, token ? { token } : {});

export async function login(app: TestApp, email: string, password: string): Promise<string> {
  const res = await post(app, "/users/login", { email, password });
  if (res.status !== 201) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await json<{ session_token: string }>(res)).session_token;
}

export async function defaultOrgId(app: TestApp): Promise<string> {
  const [org] = await app.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  return org!.id;
}

export interface MemberInput {
  email: string;
  username: string;
  password?: string;
  status?: UserRow["status"];
  rbacRoles?: string[];
  hashedPassword?: string;
}

/** A plain member of the default organization, inserted straight into the database. */
export async function insertMember(app: TestApp, input: MemberInput): Promise<UserRow> {
  const hashedPassword = input.hashedPassword ?? (input.password ? await app.deps.hasher.hash(input.password) : "");
  const [user] = await app.db
    .insert(users)
    .values({
      email: input.email,
      username: input.username,
      hashedPassword,
      status: input.status ?? "active",
      rbacRoles: input.rbacRoles ?? [],
      loginType: "password",
    })
    .returning();
  await app.db.insert(organizationMembers).values({ userId: user!.id, organizationId: await defaultOrgId(app) });
  return user!;
}

export async function userRow(app: TestApp, id: string): Promise<UserRow> {
  const [row] = await app.db.select().from(users).where(eq(users.id, id));
  return row!;
}

export async function keysOf(app: TestApp, userId: string): Promise<ApiKeyRow[]> {
  return app.db.select().from(apiKeys).where(eq(apiKeys.userId, userId));
}

/** The api_keys row a Gatehouse token names (its `jti`). */
export async function keyRowOf(app: TestApp, token: string): Promise<ApiKeyRow | undefined> {
  const jti = jwtPayload(token).jti as string;
  const [row] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, jti));
  return row;
}

export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export function jwtHeader(token: string): Record<string, unknown> {
  const part = token.split(".")[0] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds work the app defers until `release()`, so a test can count the
 * statements a request sends before its response apart from the bookkeeping it leaves for afterwards.
 */
export function holdDeferred(app: TestApp): { release(): Promise<void> } {
  const held: DeferredTask[] = [];
  const original = app.deps.defer;
  app.deps.defer = (task) => void held.push(task);
  return {
    async release() {
      app.deps.defer = original;
      await Promise.all(held.splice(0).map((task) => task(app.db)));
    },
  };
}
