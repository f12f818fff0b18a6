// Request validation with Coder's wording: every failing field becomes
// `{field, detail: 'Validation failed for tag "<tag>" with value: "<value>"'}`, like go-playground's validator.
import { z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { apiError, ErrorSchema, validationFailed, type Validation } from "./errors.ts";

export const tagDetail = (tag: string, input: unknown) =>
  `Validation failed for tag "${tag}" with value: "${typeof input === "string" ? input : input === undefined || input === null ? "" : JSON.stringify(input)}"`;

const TAG_PREFIX = "tag:";
const SEP = "\u0000";

/** A zod error option that records a validator tag and the value; the hook turns it into Coder's detail. */
export const tag = (name: string) => ({
  error: (iss: { input?: unknown }) => `${TAG_PREFIX}${name}${SEP}${JSON.stringify(iss.input ?? "")}`,
});

/** A string field Go would tag `required`: present, a string, and non-empty. */
export const requiredString = () => z.string(tag("required")).min(1, tag("required"));

const NAME_RE = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;

/** Coder's NameValid (usernames, organization names). */
export function nameValid(name: string): string | undefined {
  if (new TextEncoder().encode(name).length > 32) return "must be <= 32 characters";
  if (name.length < 1) return "must be >= 1 character";
  if (name === "new" || name === "create") return `cannot use "${name}" as a name`;
  if (!NAME_RE.test(name)) return "must be alphanumeric with hyphens";
  return undefined;
}

/** Coder's UserRealNameValid (display names). */
export function userRealNameValid(name: string): string | undefined {
  if (new TextEncoder().encode(name).length > 128) return "must be <= 128 characters";
  if (name.trim() !== name) return "must not have leading or trailing whitespace";
  return undefined;
}

export const usernameField = () => requiredString().refine((v) => nameValid(v) === undefined, tag("username"));
export const realNameField = () => z.string(tag("user_real_name")).refine((v) => userRealNameValid(v) === undefined, tag("user_real_name"));
export const emailField = () => requiredString().pipe(z.email(tag("email")));

const EMAIL = z.email();
/** Whether `value` is an address by the rule emailField applies (user creation, sign-in). */
export const isEmailAddress = (value: string): boolean => EMAIL.safeParse(value).success;

/** One entry per field, the first failing rule wins (Go's validator stops at a field's first tag). */
export function toValidations(error: z.ZodError): Validation[] {
  const seen = new Set<string>();
  const out: Validation[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "body";
    if (seen.has(field)) continue;
    seen.add(field);
    if (issue.message.startsWith(TAG_PREFIX)) {
      const [tagName = "", value = '""'] = issue.message.slice(TAG_PREFIX.length).split(SEP);
      out.push({ field, detail: tagDetail(tagName, JSON.parse(value)) });
    } else {
      out.push({ field, detail: issue.message });
    }
  }
  return out;
}

/** The app-wide hook for @hono/zod-openapi validators. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const validations = toValidations(result.error as z.ZodError);
  if (result.target === "query") {
    throw apiError(400, "Query parameters have invalid values.", undefined, validations);
  }
  throw validationFailed(validations);
};

/**
 * Decodes the JSON body the way Coder does: whatever the Content-Type, an empty body is `EOF` and an
 * unparsable one (or one that is not an object) is 400 "Request body must be valid JSON.", never a silent `{}`.
 */
export const decodeJsonBody = (): MiddlewareHandler<AppEnv> =>
  async function decodeJsonBody(c, next) {
    // Read through Hono's body cache, which earlier middleware may already have filled.
    const text = await c.req.text();
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/([\w.-]+\+)?json/i.test(type)) {
      // The JSON validator insists on the header. The body is served from the cache from here on, so the
      // replacement request carries the text rather than the (already read) original stream.
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-type", "application/json");
      c.req.raw = new Request(c.req.url, { method: c.req.method, headers, body: text });
    }
    if (text.trim() === "") throw apiError(400, "Request body must be valid JSON.", "EOF");
    // src/security/input.ts parsed and checked it already, unless it is not JSON at all.
    let parsed: unknown = c.get("jsonBody");
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw apiError(400, "Request body must be valid JSON.", err instanceof Error ? err.message : "invalid JSON");
      }
    }
    // Go decodes into a struct: an array or a scalar is a decode error, `null` leaves every field empty.
    // Hono caches body promises; its type says string.
    if (parsed === null) (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve("{}");
    else if (typeof parsed !== "object" || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed) ? "array" : typeof parsed;
      throw apiError(400, "Request body must be valid JSON.", `cannot unmarshal ${kind} into an object`);
    }
    await next();
  };

/** A JSON request body for createRoute, decoded as Coder does. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return {
    body: { required: true, content: { "application/json": { schema } } },
  } as const;
}

const QUERY_UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Query parameters read the way Coder's QueryParamParser reads them: every problem is collected (so one
 * 400 lists them all), a parameter given twice is an error, and `rejectUnknown()` flags the rest.
 * Routes declare these parameters with `parameters` in createRoute, not `request.query`, so the
 * validators never answer with another message.
 */
export function queryParams(url: string) {
  const values = new URL(url).searchParams;
  const errors: Validation[] = [];
  const parsed = new Set<string>();

  function single(name: string, required: boolean): string | undefined {
    parsed.add(name);
    const all = values.getAll(name);
    if (all.length === 0 || all[0] === "") {
      if (required) errors.push({ field: name, detail: `Query param "${name}" is required and cannot be empty` });
      return undefined;
    }
    if (all.length > 1) {
      errors.push({
        field: name,
        detail: `Query param "${name}" provided more than once, found ${all.length} times. Only provide 1 instance of this query param.`,
      });
      return undefined;
    }
    return all[0];
  }

  return {
    errors,
    /** A UUID, lowercased; undefined when absent or invalid (the error is recorded). */
    uuid(name: string, options: { required?: boolean } = {}): string | undefined {
      const raw = single(name, options.required ?? false);
      if (raw === undefined) return undefined;
      if (!QUERY_UUID_RE.test(raw)) {
        errors.push({ field: name, detail: `Query param "${name}" must be a valid uuid` });
        return undefined;
      }
      return raw.toLowerCase();
    },
    /** Records every parameter no reader asked for. */
    rejectUnknown(): void {
      for (const key of new Set(values.keys())) {
        if (!parsed.has(key)) errors.push({ field: key, detail: `"${key}" is not a valid query param` });
      }
    },
  };
}

export { ErrorSchema };
