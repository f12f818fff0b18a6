// Fixtures for the key suites: a server with an owner and signed-in users, verbs that return the parsed
// body, and direct readers of api_keys rows (the effect every endpoint is judged by).
import { eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader } from "jose";
import type { Env } from "../../../src/config.ts";
import { apiKeys, users, type ApiKeyRow } from "../../../src/db/schema.ts";
import { addUser, startTestApp, withOwner, type AddedUser, type TestApp } from "../../support/node-app.ts";

export const API = "/api/v2";
export const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };
export const FORBIDDEN = {
  message: "Forbidden.",
  detail:
    "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.",
};
export const DAY_MS = 24 * 3600_000;
/** Nanoseconds in a day, exact. */
export const DAY_NS = 86_400_000_000_000n;

export interface World {
  app: TestApp;
  owner: { id: string; token: string; orgId: string };
  member: AddedUser;
}

export async function startWorld(env?: Env): Promise<World> {
  const app = await startTestApp(env ? { env } : {});
  const owner = await withOwner(app);
  const member = await addUser(app, { username: "member", login: true });
  return { app, owner: { id: owner.userId, token: owner.token, orgId: owner.organizationId }, member };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
}

export async function call<T = any>(app: TestApp, method: string, path: string, token?: string, json?: unknown): Promise<Reply<T>> {
  const res = await app.request(`${API}${path}`, { method, ...(token ? { token } : {}), ...(json !== undefined ? { json } : {}) });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** POST with a body given as raw JSON text (integers beyond 2^53, malformed numbers). */
export async function postRaw(app: TestApp, path: string, token: string, text: string): Promise<Reply> {
  const res = await app.request(`${API}${path}`, { method: "POST", token, body: text, headers: { "content-type": "application/json" } });
  const body = await res.text();
  return { status: res.status, text: body, body: body ? JSON.parse(body) : undefined };
}

/** Creates a named token and returns its value and key id. */
export async function createToken(app: TestApp, token: string, body: unknown = {}, user = "me"): Promise<{ key: string; id: string }> {
  const res = await call<{ key: string }>(app, "POST", `/users/${user}/keys/tokens`, token, body);
  if (res.status !== 201) throw new Error(`create token: ${res.status} ${res.text}`);
  return { key: res.body.key, id: keyIdOf(res.body.key) };
}

export const keyIdOf = (token: string): string => decodeJwt(token).jti as string;
export const expOf = (token: string): number => decodeJwt(token).exp as number;
export const kidOf = (token: string): string => decodeProtectedHeader(token).kid as string;

export async function keyRow(app: TestApp, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

export async function keysOf(app: TestApp, userId: string): Promise<ApiKeyRow[]> {
  return app.db.select().from(apiKeys).where(eq(apiKeys.userId, userId));
}

export async function lastSeenAt(app: TestApp, userId: string): Promise<Date | null> {
  const [row] = await app.db.select({ at: users.lastSeenAt }).from(users).where(eq(users.id, userId));
  return row!.at;
}

/** Statements sent while `fn` runs, deferred bookkeeping included. */
export async function countQueries(app: TestApp, fn: () => Promise<unknown>): Promise<number> {
  await app.settle();
  const before = app.queries.count;
  await fn();
  await app.settle();
  return app.queries.count - before;
}
