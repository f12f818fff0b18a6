// Coder's general API rate limit (spec/behavior.md §3.8): every /api/v2 route, per signed-in user (else per
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
import type { AppEnv } from "../deps.ts";
import { ApiError, errorBody } from "../http/errors.ts";
import { matchedRoute } from "../http/route.ts";
import { rateLimited } from "./rate-limit.ts";

export const BYPASS_HEADER = "X-Coder-Bypass-Ratelimit";
const WINDOW_MS = 60_000;
/**
 * Distinct keys one instance counts in a window. Past it (a flood from very many addresses) the window's
 * counts start over: memory stays bounded, and a limit that forgets is better than an instance that dies.
 */
const MAX_KEYS = 100_000;

/** Go's strconv.ParseBool, which Coder reads the bypass header with. */
const parseBool = (v: string | undefined) => v !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(v);

/** Fixed one-minute windows, held in memory by the app that created them. */
class WindowCounter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  hit(key: string, now: number): { count: number; resetMs: number } {
    const windowStart = now - (now % WINDOW_MS);
    if (windowStart !== this.windowStart || this.counts.size >= MAX_KEYS) {
      this.windowStart = windowStart;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { count, resetMs: windowStart + WINDOW_MS };
  }
}

export const apiRateLimit = (): MiddlewareHandler<AppEnv> => {
  const counter = new WindowCounter();
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

    // The route's pattern ("GET /api/v2/users/:user"), or the path when no route matched.
    const route = matchedRoute(c) ?? { method: c.req.method, path: c.req.path };
    const key = `${claims ? `user:${claims.sub}` : `ip:${rateLimitIp(c.env)}`}|${route.method} ${route.path}`;
    const now = deps.now().getTime();
    const binding = deps.rateLimiters?.api;
    let over: boolean;
    let headers: Record<string, string> = {};
    let resetMs = now + WINDOW_MS;
    if (binding) {
      over = !(await binding.limit({ key })).success;
    } else {
      const seen = counter.hit(key, now);
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
