// The one harness every node suite imports: the app (re-exported from node-app.ts), Coder's standard
// answers, the response types taken from src (never re-declared here), and the request helpers:
// `send` for a raw Response, `call` for a parsed reply. Database fixtures live in fixtures.ts and are
// re-exported from here, so a suite needs this one import.
import type { z } from "@hono/zod-openapi";
import type { ErrorSchema } from "../../src/http/errors.ts";
import type { UserView } from "../../src/users/view.ts";
import type { TestApp } from "./node-app.ts";

export { ACCESS_URL, addUser, OWNER, startTestApp, withOwner, type AddedUser, type TestApp } from "./node-app.ts";
export * from "./fixtures.ts";
export * from "./tokens.ts";
export * from "./world.ts";
export * from "./expect.ts";
export { startHook, type Delivery, type Hook } from "./webhook.ts";
export { sshKeygen } from "./ssh-keygen.ts";
export { startClockApp, T0, type ClockApp } from "./clock-app.ts";
export * from "./suite.ts";

export const API = "/api/v2";
export const USERS = `${API}/users`;

/** Coder's answer for a user the caller may not see, or that does not exist: the two are one answer. */
export const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };
export const FORBIDDEN = {
  message: "Forbidden.",
  detail:
    "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.",
};

/** The password `addUser`, `OWNER` and the user fixtures give everyone. */
export const STRONG = "SomeSecurePassword!";
/** A strong password nobody has yet, for password changes. */
export const NEW_PASSWORD = "SomeNewStrongPassword!";

export const DAY_MS = 24 * 3600_000;
/** Nanoseconds in a day, exact (Coder's durations are Go nanoseconds). */
export const DAY_NS = 86_400_000_000_000n;

/** Coder's error body, as the app's own schema declares it. */
export type ErrorBody = z.infer<typeof ErrorSchema>;
/** A user as every user route renders it. */
export type { UserView };
/** GET /users. */
export interface UsersPage {
  users: UserView[];
  count: number;
}

export async function json<T = ErrorBody>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** A request to `API + path`; `body` is sent as JSON when given. */
export function send(
  app: TestApp,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<Response> {
  return app.request(`${API}${path}`, {
    method,
    ...(token ? { token } : {}),
    ...(body !== undefined ? { json: body } : {}),
    ...(headers ? { headers } : {}),
  });
}

/** A response read once: status, headers, raw text and the parsed JSON body (undefined when empty). */
// biome-ignore lint/suspicious/noExplicitAny: a test reads the body it asserts on; callers narrow it with T.
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: a test reads the body it asserts on; callers narrow it with T.
export async function replyOf<T = any>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

/** `send`, read into a Reply. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads the body it asserts on; callers narrow it with T.
export async function call<T = any>(app: TestApp, method: string, path: string, token?: string, body?: unknown): Promise<Reply<T>> {
  return replyOf<T>(await send(app, method, path, token, body));
}

export const get = (app: TestApp, path: string, token?: string) => send(app, "GET", path, token);
export const post = (app: TestApp, path: string, body: unknown, token?: string) => send(app, "POST", path, token, body);
export const put = (app: TestApp, path: string, token: string, body?: unknown) => send(app, "PUT", path, token, body);
export const del = (app: TestApp, path: string, token: string) => send(app, "DELETE", path, token);

/** Sends `text` as the JSON body exactly as written (JSON.stringify would escape what a test means to send). */
export const sendJsonText = (app: TestApp, method: string, path: string, text: string, token?: string) =>
  app.request(`${API}${path}`, {
    method,
    body: text,
    headers: { "content-type": "application/json", ...(token ? { "Coder-Session-Token": token } : {}) },
  });

export async function login(app: TestApp, email: string, password: string): Promise<string> {
  const res = await post(app, "/users/login", { email, password });
  if (res.status !== 201) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await json<{ session_token: string }>(res)).session_token;
}

export const createUser = (app: TestApp, token: string, body: unknown) => app.request(USERS, { method: "POST", json: body, token });

/** GET /users with `params` encoded as a query string. */
export const listUsers = (app: TestApp, token: string, params: Record<string, string> = {}) => {
  const qs = new URLSearchParams(params).toString();
  return app.request(qs ? `${USERS}?${qs}` : USERS, { token });
};

/** The usernames of a successful GET /users, in response order. */
export async function names(app: TestApp, token: string, params: Record<string, string> = {}): Promise<{ names: string[]; count: number }> {
  const res = await listUsers(app, token, params);
  if (res.status !== 200) throw new Error(`GET /users ${JSON.stringify(params)}: ${res.status} ${await res.text()}`);
  const page = await json<UsersPage>(res);
  return { names: page.users.map((u) => u.username), count: page.count };
}

/** Runs `fn` and answers how many SQL statements it sent before its response (deferred work excluded). */
export async function countQueries(app: TestApp, fn: () => Promise<unknown>): Promise<number> {
  await app.settle();
  app.queries.count = 0;
  await fn();
  return app.queries.count;
}

/** Statements sent while `fn` runs, the bookkeeping it defers included. */
export async function countQueriesWithDeferred(app: TestApp, fn: () => Promise<unknown>): Promise<number> {
  await app.settle();
  const before = app.queries.count;
  await fn();
  await app.settle();
  return app.queries.count - before;
}

/** GET /users/me, the cheapest authenticated request: what the token suites send. */
export const getMe = (app: TestApp, token?: string, init: RequestInit = {}) =>
  app.request(`${API}/users/me`, { ...init, ...(token ? { token } : {}) });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
