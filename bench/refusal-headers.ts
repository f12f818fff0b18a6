// What Gatehouse's answer to a forged token carries, for the baselines' /verify-headers route: the same
// headers (src/http/headers.ts, the build version, a request id, the API rate limit's three, and the
// session check's refusal with Coder's WWW-Authenticate) and the same body, written by a bare route. Its
// cost over /verify is what writing Gatehouse's refusal costs, apart from everything that decides it
// (docs/performance.md).
import type { Context } from "hono";
import { unauthorized } from "../src/auth/refusals.ts";
import { SECURITY_HEADERS } from "../src/http/headers.ts";

/** The session check's refusal of a forged token (src/auth/session.ts): its body and WWW-Authenticate. */
const FORGED = unauthorized("API key secret is invalid.");

export function refuseAsGatehouse(c: Context, buildVersion: string, apiPerMinute: number): Response {
  for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
  c.header("X-Coder-Build-Version", buildVersion);
  c.header("X-Request-Id", crypto.randomUUID());
  c.header("X-Ratelimit-Limit", String(apiPerMinute));
  c.header("X-Ratelimit-Remaining", String(apiPerMinute - 1));
  c.header("X-Ratelimit-Reset", String(Math.ceil(Date.now() / 1000) + 60));
  for (const [name, value] of Object.entries(FORGED.headers)) c.header(name, value);
  return c.json(FORGED.body, 401);
}
