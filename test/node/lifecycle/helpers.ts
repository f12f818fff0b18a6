// Small helpers for the lifecycle suites: verbs around app.request, and readers of the rows the
// endpoints change (api_keys, user_links, the OTP columns).
import { createServer, type Server } from "node:http";
import { eq } from "drizzle-orm";
import { apiKeys, userLinks, users, type UserRow } from "../../../src/db/schema.ts";
import type { TestApp } from "../../support/node-app.ts";

export const API = "/api/v2";
export const NOT_FOUND = { message: "Resource not found or you do not have access to this resource" };
export const FORBIDDEN = {
  message: "Forbidden.",
  detail:
    "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.",
};
export const STRONG = "SomeNewStrongPassword!";

export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: { field: string; detail: string }[];
}

export const call = (app: TestApp, method: string, path: string, token?: string, body?: unknown) =>
  app.request(`${API}${path}`, { method, ...(token ? { token } : {}), ...(body !== undefined ? { json: body } : {}) });

export const put = (app: TestApp, path: string, token: string, body?: unknown) => call(app, "PUT", path, token, body);
export const get = (app: TestApp, path: string, token: string) => call(app, "GET", path, token);
export const del = (app: TestApp, path: string, token: string) => call(app, "DELETE", path, token);
export const post = (app: TestApp, path: string, body: unknown) => call(app, "POST", path, undefined, body);

export async function json<T = ErrorBody>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function login(app: TestApp, email: string, password: string): Promise<string> {
  const res = await post(app, "/users/login", { email, password });
  if (res.status !== 201) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await json<{ session_token: string }>(res)).session_token;
}

/** The user's row, deleted or not. */
export async function userRow(app: TestApp, id: string): Promise<UserRow> {
  const [row] = await app.db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

export async function keyCount(app: TestApp, userId: string): Promise<number> {
  return (await app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, userId))).length;
}

export async function linkCount(app: TestApp, userId: string): Promise<number> {
  return (await app.db.select({ id: userLinks.userId }).from(userLinks).where(eq(userLinks.userId, userId))).length;
}

export interface Delivery {
  method: string | undefined;
  path: string | undefined;
  contentType: string | undefined;
  json: Record<string, unknown>;
}

export interface Hook {
  url: string;
  /** What was POSTed so far; complete once app.settle() has returned (delivery is deferred). */
  received: Delivery[];
  close(): Promise<void>;
}

/** A webhook receiver on the loopback interface only, answering `status`. */
export function startHook(status = 204): Promise<Hook> {
  const received: Delivery[] = [];
  const server: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    received.push({ method: req.method, path: req.url, contentType: req.headers["content-type"], json: JSON.parse(text) });
    res.statusCode = status;
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/hooks/gatehouse`,
        received,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    }),
  );
}
