// What Gatehouse's answer to a forged token carries, for the baselines' /verify-headers route: the same
// headers (src/http/headers.ts, the build version, a request id, the API rate limit's three, Coder's
// WWW-Authenticate) and the same body, written by a bare route. Its cost over /verify is what writing
// Gatehouse's refusal costs, apart from everything that decides it (docs/performance.md).
import type { Context } from "hono";
import { SIGNED_OUT } from "../src/auth/refusals.ts";
import { errorBody } from "../src/http/errors.ts";
import { SECURITY_HEADERS } from "../src/http/headers.ts";

const BODY = errorBody(SIGNED_OUT, "API key secret is invalid.");

export function refuseAsGatehouse(c: Context, buildVersion: string, apiPerMinute: number): Response {
  for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
  c.header("X-Coder-Build-Version", buildVersion);
  c.header("X-Request-Id", crypto.randomUUID());
  c.header("X-Ratelimit-Limit", String(apiPerMinute));
  c.header("X-Ratelimit-Remaining", String(apiPerMinute - 1));
  c.header("X-Ratelimit-Reset", String(Math.ceil(Date.now() / 1000) + 60));
  c.header("WWW-Authenticate", 'Bearer realm="coder", error="invalid_token", error_description="The access token is invalid"');
  return c.json(BODY, 401);
}
