// Request input is read and checked once, here, before any route or the audit trail sees it: JSON bodies are
// parsed a single time, and whatever Postgres cannot store, or the app cannot walk safely, is refused with a
// 400 in Coder's shape. Without this, a value that fails only when it reaches a query (or the audit insert)
// would surface as a 500, or worse, let an action succeed while its audit record failed.
//
// - U+0000 in any text or jsonb value makes a statement fail (SQLSTATE 22021 / 22P05). Refused in the path,
//   the query string and JSON bodies.
// - An unpaired UTF-16 surrogate (JSON's "\ud800" escape without its partner) is not Unicode: Postgres
//   refuses it in jsonb and it cannot be encoded as UTF-8 text. Go's decoder would replace it with U+FFFD;
//   Gatehouse refuses it instead, so a stored name or token name is exactly what the client sent. Only a
//   JSON escape can produce one: percent-decoding rejects encoded surrogates in the path and turns them into
//   U+FFFD in the query string.
// - JSON nested deeper than MAX_JSON_DEPTH. No request Gatehouse accepts nests deeper than four levels;
//   deeper input would only exercise recursive code (JSON.stringify, revivers) until the stack overflows.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";

export const MAX_JSON_DEPTH = 32;

const NUL = "\u0000";

const nulRefused = (where: string) =>
  apiError(400, "Request contains a NUL character.", `The ${where} contains the character U+0000, which cannot be stored.`);

const surrogateRefused = () =>
  apiError(
    400,
    "Request contains an unpaired UTF-16 surrogate.",
    "The request body holds a \\uD800-\\uDFFF escape without its partner, which is not valid Unicode and cannot be stored.",
  );

const tooDeep = () => apiError(400, "Request body must be valid JSON.", `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);

function checkString(s: string): void {
  if (s.includes(NUL)) throw nulRefused("request body");
  if (!s.isWellFormed()) throw surrogateRefused();
}

/** Walks a parsed JSON value with an explicit stack (no recursion, whatever the input's depth). */
export function checkJsonValue(root: unknown): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === "string") {
      checkString(value);
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_JSON_DEPTH) throw tooDeep();
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(value)) {
      checkString(key);
      stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

/** A text field of the JSON body as parsed here (undefined when the body is not a JSON object or the field not a string). */
export function bodyText(c: Context<AppEnv>, field: string): string | undefined {
  const value = (c.get("jsonBody") as Record<string, unknown> | null | undefined)?.[field];
  return typeof value === "string" ? value : undefined;
}

export const readRequestInput = (): MiddlewareHandler<AppEnv> =>
  async function readRequestInput(c, next) {
    // `%00` is the only way a NUL reaches a URL, and it decodes to one however the rest is encoded (Hono
    // decodes each valid escape on its own, so a neighbouring malformed escape does not hide it). An escaped
    // percent sign followed by zeros ("%2500") does not contain the text "%00".
    const url = c.req.url;
    const q = url.indexOf("?");
    const at = url.indexOf("%00");
    if (at !== -1) throw nulRefused(q === -1 || at < q ? "path" : "query string");
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      // Hono caches the text: the route reads this same copy, and the parsed value is kept for the audit
      // trail. Text that is not JSON is left to the route, which answers Coder's "must be valid JSON".
      const text = await c.req.text();
      if (text.trim() !== "") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return next();
        }
        checkJsonValue(parsed);
        c.set("jsonBody", parsed);
      }
    }
    await next();
  };
