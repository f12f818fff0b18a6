// Cross-site request forgery: a browser attaches the session cookie to requests any site makes, so a
// state-changing request authenticated by that cookie must come from this origin. Browsers say where a
// request comes from (Origin, and Sec-Fetch-Site in every current one); other clients send the token in a
// header, which no other site can make a browser add, and are not affected. SameSite=Lax on the cookie
// already stops most cross-site POSTs; this also covers same-site subdomains and older browsers.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import type { AppEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CSRF_MESSAGE = "Cross-site request refused.";

export const csrfGuard = (): MiddlewareHandler<AppEnv> =>
  async function csrfGuard(c, next) {
    // The cookie is the first token source read (token-source.ts): when present, it is what authenticates.
    if (SAFE_METHODS.has(c.req.method) || !getCookie(c, SESSION_COOKIE)) return next();
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const allowed = new Set([new URL(c.req.url).origin, new URL(c.env.deps.config.accessUrl).origin]);
      if (!allowed.has(origin)) {
        throw apiError(403, CSRF_MESSAGE, `A request authenticated by the session cookie must come from ${c.env.deps.config.accessUrl}.`);
      }
    } else {
      // No Origin (older browsers on same-origin requests, non-browser clients): a browser's own word on
      // where the request started is the next best signal; its absence means no current browser sent it.
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin" && site !== "none") {
        throw apiError(403, CSRF_MESSAGE, `A request authenticated by the session cookie must come from ${c.env.deps.config.accessUrl}.`);
      }
    }
    await next();
  };
