// Input Postgres cannot store: a NUL character in any text or jsonb value makes the statement fail
// (SQLSTATE 22021 / 22P05), which would surface as a 500 from wherever the value first reaches a query.
// Refused up front with a 400 instead, for the path, the query string and JSON bodies alike. Found by the
// fuzz suite (test/node/reliability/fuzz.test.ts): GET /users/%00 answered 500.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";

const NUL = "\u0000";

const refused = (where: string) =>
  apiError(400, "Request contains a NUL character.", `The ${where} contains the character U+0000, which cannot be stored.`);

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (depth > 64 || typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes(NUL) || containsNul(v, depth + 1));
}

export const rejectNulCharacters = (): MiddlewareHandler<AppEnv> =>
  async function rejectNulCharacters(c, next) {
    // `%00` is the only way a NUL reaches a URL, and it decodes to one however the rest is encoded (Hono
    // decodes each valid escape on its own, so a neighbouring malformed escape does not hide it). An escaped
    // percent sign followed by zeros ("%2500") does not contain the text "%00".
    const url = c.req.url;
    const q = url.indexOf("?");
    const at = url.indexOf("%00");
    if (at !== -1) throw refused(q === -1 || at < q ? "path" : "query string");
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      // JSON can only carry a NUL as the escape \u0000; most bodies are waved through on that text test.
      // Hono caches the text: the route and the audit trail read this same copy.
      const text = await c.req.text();
      if (/\\u0000/i.test(text)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (containsNul(parsed)) throw refused("request body");
      }
    }
    await next();
  };
