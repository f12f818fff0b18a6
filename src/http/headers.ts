// The headers every response carries: the security headers (the values of Hono's `secureHeaders()`
// defaults, with Cross-Origin-Resource-Policy same-origin) and Coder's build-version header.
//
// They are set before the handler runs, so the response is built with them. Hono's `secureHeaders()` sets
// them after `next()`, on the finished response, which makes @hono/node-server turn its lightweight
// response into a full Fetch Response and copy its headers on every request: for a refused token that was
// about 70 µs of the server's ~345 µs of CPU per request (`npm run bench`, docs/performance.md).
//
// Every response goes through the Context (`c.json`, `c.body`, `c.redirect`, the error handler), which
// starts from these headers; a handler returning a Response it built itself would not carry them.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

export const responseHeaders = (): MiddlewareHandler<AppEnv> =>
  function responseHeaders(c, next) {
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    c.header("X-Coder-Build-Version", c.env.deps.config.buildVersion);
    return next();
  };

/**
 * The docs page's Content-Security-Policy (/swagger, src/docs/). The page runs only scripts and styles that
 * Gatehouse itself serves and talks only to this origin: no CDN, no inline script, no `eval`, no other
 * origin for images, fonts, frames or form targets. `data:` images are the icons Swagger UI's stylesheet
 * embeds. Framing is refused outright (X-Frame-Options above allows same-origin frames for the API).
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The console pages' Content-Security-Policy (src/pages/): only Gatehouse's own hashed script and
 * stylesheet, no inline script or style, requests only to this origin, forms only to this origin. An OIDC
 * icon on another origin is therefore not shown (docs/architecture.md); `data:` images are allowed.
 */
export const PAGES_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");
