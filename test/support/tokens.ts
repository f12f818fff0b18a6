// Tokens for the node suites: sessions minted the way login mints them (for users who cannot sign in
// with a password, or with narrower scopes), named tokens through the API, and JWT readers.
import { eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { apiKeys, userLinks, type ApiKeyRow } from "../../src/db/schema.ts";
import type { DeferredTask } from "../../src/deps.ts";
import { issueKey } from "../../src/keys/issue.ts";
import { addUser, type TestApp } from "./node-app.ts";

/** A session for `userId` without a login (scopes default to coder:all, login type to password). */
export async function tokenFor(app: TestApp, userId: string, options: { scopes?: string[]; loginType?: "password" | "oidc" } = {}) {
  const { token } = await issueKey(app.deps, app.db, {
    userId,
    loginType: options.loginType ?? "password",
    lifetimeMs: 3600_000,
    ip: "127.0.0.1",
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  return token;
}

/** An OIDC user with a session; `claims: null` leaves them without a link (their session is then refused). */
export async function oidcUser(app: TestApp, username: string, claims: Record<string, unknown> | null = {}) {
  const user = await addUser(app, { username, loginType: "oidc" });
  if (claims) await app.db.insert(userLinks).values({ userId: user.id, loginType: "oidc", linkedId: `sub-${username}`, claims });
  return { ...user, token: await tokenFor(app, user.id, { loginType: "oidc" }) };
}

/** Creates a named token through the API and returns its value and key id. */
export async function createToken(app: TestApp, token: string, body: unknown = {}, user = "me"): Promise<{ key: string; id: string }> {
  const res = await app.request(`/api/v2/users/${user}/keys/tokens`, { method: "POST", token, json: body });
  if (res.status !== 201) throw new Error(`create token: ${res.status} ${await res.text()}`);
  const { key } = (await res.json()) as { key: string };
  return { key, id: keyIdOf(key) };
}

export const keyIdOf = (token: string): string => decodeJwt(token).jti as string;
export const expOf = (token: string): number => decodeJwt(token).exp as number;
export const kidOf = (token: string): string => decodeProtectedHeader(token).kid as string;

export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export function jwtHeader(token: string): Record<string, unknown> {
  const part = token.split(".")[0] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

export const b64url = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** The api_keys row a Gatehouse token names (its `jti`). */
export async function keyRowOf(app: TestApp, token: string): Promise<ApiKeyRow | undefined> {
  const [row] = await app.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.id, jwtPayload(token).jti as string));
  return row;
}

/**
 * Holds work the app defers until `release()`, so a test can count the statements a request sends
 * before its response apart from the bookkeeping it leaves for afterwards.
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
