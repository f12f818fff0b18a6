// The pages' reads: the public API called in-process, through the same Hono app, with the request's own
// cookie and client address. So a page sees exactly what the person's session may see, and its reads are
// authorised, rate-limited, logged and audited like any API call; there is no page-only path to the data.
// Writes never come through here: the browser sends them to the API itself (src/pages/static/console.js).
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";

/**
 * The app the pages are mounted on (mountPages hands it down): anything with Hono's `request`. Passed, not
 * kept in a module variable, so that with several apps in one process (the tests) each page reads through
 * its own app, whose middleware (the rate limiter's counter) holds state of its own.
 */
export interface InProcessApp {
  request(input: string | Request, init?: RequestInit, env?: AppEnv["Bindings"]): Response | Promise<Response>;
}

/** Request headers carried into the API call: who is asking (cookie) and what with (for audit and logs). */
const FORWARDED = ["cookie", "user-agent", "accept-language"];

export interface ApiReply<T> {
  status: number;
  ok: boolean;
  /** The parsed JSON body (Coder's error shape when !ok); undefined when the body was empty or not JSON. */
  body: T | undefined;
}

/**
 * GET `path` (under /api/v2, e.g. "/users/me") as the request's own session. Set-Cookie headers of the answer
 * (a cleared or refreshed session) are passed on to the page's response.
 */
export async function apiGet<T>(api: InProcessApp, c: Context<AppEnv>, path: string): Promise<ApiReply<T>> {
  // The page's request id, so the log lines of its API reads are found with the page's own.
  const headers = new Headers({ accept: "application/json", "x-request-id": c.get("requestId") });
  for (const name of FORWARDED) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  const url = new URL(`/api/v2${path}`, c.req.url).href;
  const res = await api.request(url, { method: "GET", headers }, c.env);
  // getSetCookie: in Node and workerd alike; missing from @cloudflare/workers-types' Headers.
  for (const cookie of (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie()) {
    c.header("Set-Cookie", cookie, { append: true });
  }
  const text = await res.text();
  let body: T | undefined;
  try {
    body = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, ok: res.ok, body };
}

/** Several reads at once (they are independent), in the order given. */
export function apiGetAll<T extends unknown[]>(
  api: InProcessApp,
  c: Context<AppEnv>,
  paths: { [K in keyof T]: string },
): Promise<{ [K in keyof T]: ApiReply<T[K]> }> {
  return Promise.all(paths.map((p) => apiGet(api, c, p))) as Promise<{ [K in keyof T]: ApiReply<T[K]> }>;
}

/** GET /users/authmethods: how people may sign in here (the sign-in buttons, the create-user form's choices). */
export interface AuthMethods {
  password: { enabled: boolean };
  github: { enabled: boolean };
  oidc: { enabled: boolean; signInText: string; iconUrl: string };
}
