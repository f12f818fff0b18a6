// Which route answered a request: the one lookup the request log, the audit trail and the API rate limit
// share.
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The method and pattern ("/api/v2/users/:user") of the route that handles the request, or undefined when
 * none matched (404). Middleware registered for "*" or a prefix is skipped: only method-specific handlers
 * name a route. Hono matches every pattern that fits, in registration order, and the first handler answers:
 * GET /users/authmethods also fits /users/:user, registered after it, which never runs.
 */
export function matchedRoute(c: Context): { method: string; path: string } | undefined {
  return matchedRoutes(c).find((r) => r.method !== "ALL");
}
