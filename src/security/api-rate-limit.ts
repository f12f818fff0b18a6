// Coder's general API rate limit (Coder's coderd/httpmw/ratelimit.go): every /api/v2 route, per signed-in user (else per
// client IP) and per endpoint, API_RATE_LIMIT requests a minute (512 by default); over it, 429 in Coder's
// shape with Retry-After. Owners may skip it with `X-Coder-Bypass-Ratelimit: true` (load tests, automation);
// anyone else sending that header gets 428, as Coder answers.
//
// The counters are this instance's own, as Coder keeps them per replica: the limit guards each instance
// from one client's flood without adding a database round trip to every request (GET /users/me stays one
// statement). On Workers, an isolate's memory is small and short-lived, so where the API_RATE_LIMITER binding
// (Workers Rate Limiting) is configured it counts instead, per Cloudflare location. The login group's strict
// limits are separate and consistent across instances (src/security/rate-limit.ts).
import type { MiddlewareHandler } from "hono";
import { loadActor } from "../auth/actor.ts";
import { rateLimitIp, sessionClaims } from "../auth/session.ts";
import { parseGoBool } from "../compat/go-parse.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError, errorBody } from "../http/errors.ts";
import { matchedRoute } from "../http/route.ts";
import { rateLimited } from "./rate-limit.ts";
import { counterKey, WindowCounter } from "./window-counter.ts";

export const BYPASS_HEADER = "X-Coder-Bypass-Ratelimit";
const WINDOW_MS = 60_000;
/**
 * The most memory one instance's counters may hold (estimated, src/security/window-counter.ts): about
 * 40,000 clients-and-endpoints a minute. Past it the lowest counts are dropped first, so a flood of new
 * addresses cannot wipe the counts of clients near their limit.
 */
export const API_COUNTER_MAX_BYTES = 8 * 1024 * 1024;

/** Go's strconv.ParseBool, which Coder reads the bypass header with. */
function parseBool(v: string | undefined): boolean {
  const parsed = v === undefined ? undefined : parseGoBool(v);
  return parsed !== undefined && "value" in parsed && parsed.value;
}

export const apiRateLimit = (): MiddlewareHandler<AppEnv> => {
  const counter = new WindowCounter(WINDOW_MS, API_COUNTER_MAX_BYTES);
  return async function apiRateLimit(c, next) {
    const deps = c.env.deps;
    const { disabled, apiPerMinute } = deps.config.rateLimits;
    if (disabled || apiPerMinute <= 0) return next();

    const claims = await sessionClaims(c);
    if (parseBool(c.req.header(BYPASS_HEADER))) {
      // Only here is the actor read twice (again by the route): the header is for owners' tooling.
      const actor = claims ? await loadActor(deps.db, claims.jti) : undefined;
      const owner = actor && actor.user.id === claims?.sub && actor.user.status === "active" && actor.user.rbacRoles.includes("owner");
      if (owner) return next();
      throw new ApiError(428, errorBody(`The "${BYPASS_HEADER}" header can only be used by owners.`));
    }

    // Per endpoint is per route pattern ("GET /api/v2/users/:user"): every path no route matches shares one
    // key per client. Keying by the raw path let every distinct path, however long, hold an entry of its own.
    const route = matchedRoute(c);
    const endpoint = route ? route.key : "unmatched";
    // Both halves are bounded: a user id from a verified token, or a canonical address (an IPv6 /64).
    const parts = [claims ? `user:${claims.sub}` : `ip:${rateLimitIp(c.env)}`, endpoint];
    const now = deps.now().getTime();
    const binding = deps.rateLimiters?.api;
    let over: boolean;
    let headers: Record<string, string> = {};
    let resetMs = now + WINDOW_MS;
    if (binding) {
      over = !(await binding.limit({ key: counterKey(parts) })).success;
    } else {
      const seen = counter.hit(parts, now);
      over = seen.count > apiPerMinute;
      resetMs = seen.resetMs;
      headers = {
        "X-Ratelimit-Limit": String(apiPerMinute),
        "X-Ratelimit-Remaining": String(Math.max(0, apiPerMinute - seen.count)),
        "X-Ratelimit-Reset": String(Math.ceil(resetMs / 1000)),
      };
    }
    if (over) throw rateLimited(apiPerMinute, WINDOW_MS, now, resetMs, headers);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
};
