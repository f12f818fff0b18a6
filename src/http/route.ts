// Which route answered a request: the one lookup the request log, the audit trail and the API rate limit
// share.
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The method and pattern ("/api/v2/users/:user") of the route that handles the request, or undefined when
 * none matched (404). Middleware registered for "*" or a prefix is skipped: only method-specific handlers
 * name a route.
 */
export function matchedRoute(c: Context): { method: string; path: string } | undefined {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL") return r;
  }
  return undefined;
}
