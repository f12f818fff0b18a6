// How every console page answers: its Content-Security-Policy, never cached (it shows the person's own
// data), and the sign-in redirect when the session is missing or ended.
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";
import { PAGES_CONTENT_SECURITY_POLICY } from "../http/headers.ts";
import type { UserView } from "../users/view.ts";
import { apiGet, type InProcessApp } from "./api.ts";
import type { Html } from "./layout.ts";

export function page(c: Context<AppEnv>, body: Html, status: 200 | 400 | 403 | 404 = 200) {
  c.header("Content-Security-Policy", PAGES_CONTENT_SECURITY_POLICY);
  c.header("Cache-Control", "no-store");
  return c.html(body, status);
}

/** /login?redirect=<this page>, for a page that needs a session. */
export function toSignIn(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  c.header("Cache-Control", "no-store");
  return c.redirect(`/login?redirect=${encodeURIComponent(url.pathname + url.search)}`, 303);
}

/**
 * The signed-in person (GET /users/me as the request's session), or undefined when there is no valid
 * session: the caller then answers toSignIn(c).
 */
export async function signedIn(api: InProcessApp, c: Context<AppEnv>): Promise<UserView | undefined> {
  const me = await apiGet<UserView>(api, c, "/users/me");
  return me.ok ? me.body : undefined;
}
