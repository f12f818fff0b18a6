// Cross-site request forgery, in two shapes.
//
// 1. Forged writes: a browser attaches the session cookie to requests any site makes, so a state-changing
//    request authenticated by that cookie must come from this origin.
// 2. Login CSRF: a cross-site form that posts the attacker's credentials to the login route signs the
//    visitor into the attacker's account, and whatever they then type lands there (OWASP CSRF Prevention
//    Cheat Sheet, "Login CSRF"). No cookie is involved yet, so rule 1 never sees it: the routes that sign
//    someone in or set an account's password without a session refuse cross-site browser requests whether
//    or not a cookie came along.
//
// Browsers say where a request comes from (Origin, and Sec-Fetch-Site in every current one). Other clients
// (the Coder CLI, the Go SDK) send neither header and are not affected; no site can make a browser drop
// them. SameSite=Lax on the cookie already stops most cross-site POSTs; this also covers same-site
// subdomains, older browsers, and the login routes, which SameSite cannot protect.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { matchedRoutes } from "hono/route";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import type { AppEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";
import { OAUTH_CALLBACK_PATHS } from "../oauth/paths.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CSRF_MESSAGE = "Cross-site request refused.";

/**
 * The routes that answer without a session and sign someone in (a session cookie), create the owner, or
 * set a password: "METHOD /pattern", as the router names the route (the api router is mounted at /api/v2).
 * Matched by pattern rather than by path, so a request the router routes elsewhere is never caught.
 */
const SIGN_IN_ROUTES = new Set(["POST /api/v2/users/login", "POST /api/v2/users/first", "POST /api/v2/users/otp/change-password"]);

/**
 * The OAuth 2.0 callbacks. The provider sends the browser back here with a top-level cross-site GET
 * navigation, which must work. What stops login CSRF on them is the `state` parameter, which must equal the
 * HttpOnly state cookie set when this browser started the flow (RFC 6749 §10.12; src/oauth/flow.ts
 * readCallback refuses a missing or different one before the code is exchanged). Here they refuse only what
 * no provider sends: a cross-site request that is not a top-level navigation (a fetch, an <img>, a frame).
 */
const CALLBACK_ROUTES = new Set(OAUTH_CALLBACK_PATHS.map((path) => `GET ${path}`));

const routeKeys = (c: Context) => matchedRoutes(c).map((r) => `${r.method} ${r.path}`);

/** This deployment's own origins: the one the request was addressed to and CODER_ACCESS_URL's. */
function ownOrigins(c: Context<AppEnv>): Set<string> {
  return new Set([new URL(c.req.url).origin, new URL(c.env.deps.config.accessUrl).origin]);
}

/**
 * True when a browser says the request started on another origin: a foreign Origin (including "null"), or,
 * without Origin (older browsers on same-origin requests omit it), Sec-Fetch-Site other than same-origin
 * or none (typed in, bookmarked). A request with neither header did not come from a current browser.
 */
function crossSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) return !ownOrigins(c).has(origin);
  const site = c.req.header("sec-fetch-site");
  return site !== undefined && site !== "same-origin" && site !== "none";
}

/**
 * A top-level navigation, as a provider's redirect back is: Sec-Fetch-Mode navigate and Sec-Fetch-Dest
 * document where the browser sends them, and no Origin (browsers send none on a GET navigation; a fetch
 * from another site carries one).
 */
function topLevelNavigation(c: Context<AppEnv>): boolean {
  const mode = c.req.header("sec-fetch-mode") ?? "navigate";
  const dest = c.req.header("sec-fetch-dest") ?? "document";
  return c.req.header("origin") === undefined && mode === "navigate" && dest === "document";
}

const refuse = (c: Context<AppEnv>, what: string) => apiError(403, CSRF_MESSAGE, `${what} must come from ${c.env.deps.config.accessUrl}.`);

export const csrfGuard = (): MiddlewareHandler<AppEnv> =>
  async function csrfGuard(c, next) {
    // Same-origin browser requests and every non-browser client (no Origin, no Sec-Fetch-Site) pass.
    if (!crossSite(c)) return next();
    const routes = routeKeys(c);
    if (routes.some((r) => SIGN_IN_ROUTES.has(r))) throw refuse(c, "A sign-in request from a browser");
    if (routes.some((r) => CALLBACK_ROUTES.has(r))) {
      if (!topLevelNavigation(c)) throw refuse(c, "An OAuth callback that is not the provider's redirect");
      return next();
    }
    // The cookie is the first token source read (token-source.ts): when present, it is what authenticates.
    if (!SAFE_METHODS.has(c.req.method) && getCookie(c, SESSION_COOKIE)) throw refuse(c, "A request authenticated by the session cookie");
    await next();
  };
