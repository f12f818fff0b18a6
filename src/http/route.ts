// Which route answered a request: the one lookup the request log, the audit trail and the API rate limit
// share, made once per request.
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

export interface MatchedRoute {
  method: string;
  /** The pattern, with the mount prefix: "/api/v2/users/:user". */
  path: string;
  /** "METHOD /pattern", as the audit rules and the rate limits key a route. */
  key: string;
}

/** Per request: up to four middlewares ask, and each answer walked every match and built the key again. */
const memo = new WeakMap<Context, MatchedRoute | null>();

/**
 * The method and pattern ("/api/v2/users/:user") of the route that handles the request, or undefined when
 * none matched (404). Middleware registered for "*" or a prefix is skipped: only method-specific handlers
 * name a route. Hono matches every pattern that fits, in registration order, and the first handler answers:
 * GET /users/authmethods also fits /users/:user, registered after it, which never runs.
 */
export function matchedRoute(c: Context): MatchedRoute | undefined {
  let route = memo.get(c);
  if (route === undefined) {
    const first = matchedRoutes(c).find((r) => r.method !== "ALL");
    route = first ? { method: first.method, path: first.path, key: `${first.method} ${first.path}` } : null;
    memo.set(c, route);
  }
  return route ?? undefined;
}
