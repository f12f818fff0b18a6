// A browser sent to a provider comes back to the OAuth callback as a top-level navigation, so when the
// sign-in fails there (a refused email, a lapsed flow, a provider not configured) the person would be left
// looking at the API's JSON. For such a navigation the failure becomes a redirect to the sign-in page with
// the API's own message (Coder's callbacks send browsers to /login?message=… the same way for the refusals
// they expect; coderd/userauth.go). API clients, which do not navigate, keep the JSON answer.
//
// Registered on the outer app in front of the API router, so the audit trail inside still records the
// failure with its real status; only what reaches the browser changes.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { OAUTH_CALLBACK_PATHS } from "../oauth/paths.ts";
import { safeRedirect } from "../oauth/redirect.ts";
import type { Router } from "../http/router.ts";
import { LOGIN_PATH } from "./login.ts";

/**
 * A top-level navigation: Sec-Fetch-Mode navigate into a document where the browser says so (every current
 * one; a frame is not, and its refusal stays as it was), else an Accept that asks for HTML.
 */
function isNavigation(headers: { header(name: string): string | undefined }): boolean {
  const mode = headers.header("sec-fetch-mode");
  if (mode !== undefined) return mode === "navigate" && (headers.header("sec-fetch-dest") ?? "document") === "document";
  return (headers.header("accept") ?? "").includes("text/html");
}

export const signInFailurePages = (): MiddlewareHandler<AppEnv> =>
  async function signInFailurePages(c, next) {
    await next();
    if (c.res.status < 400 || c.req.method !== "GET" || !isNavigation(c.req)) return;
    const failed = c.res;
    let message = "";
    try {
      const body = (await failed.clone().json()) as { message?: unknown; detail?: unknown };
      message = [body.message, body.detail].filter((s): s is string => typeof s === "string" && s !== "").join(" ");
    } catch {
      // Not Coder's error shape: the status alone says what happened.
    }
    const query = new URLSearchParams({ message: message || `Sign-in failed (HTTP ${failed.status}).` });
    // Where the person was going, when the refusal named it (Coder's denied sign-in carries it in Location).
    const location = failed.headers.get("location");
    const wanted = location ? new URL(location, c.env.deps.config.accessUrl).searchParams.get("redirect") : null;
    if (wanted) query.set("redirect", safeRedirect(wanted, c.env.deps.config.accessUrl));
    const redirect = new Response(null, { status: 303, headers: failed.headers });
    redirect.headers.set("location", `${LOGIN_PATH}?${query}`);
    redirect.headers.delete("content-type");
    redirect.headers.delete("content-length");
    c.res = undefined;
    c.res = redirect;
  };

export function mountSignInFailurePages(app: Router): void {
  for (const path of OAUTH_CALLBACK_PATHS) app.use(path, signInFailurePages());
}
