// What one audited request is recorded as: the audit_logs row built from the matched rule, the request body
// (through the rule's allow-list), the response and the request's context. Secret fields are recorded as
// `{"secret": true}` only, and nothing else is ever copied.
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Actor } from "../auth/actor.ts";
import { clientIp } from "../auth/session.ts";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { auditLogs } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { isEmailAddress } from "../http/validation.ts";
import type { UserWithOrgs } from "../users/queries.ts";
import type { AuditRule } from "./actions.ts";

type Ctx = Context<AppEnv>;
export type AuditRow = PgInsertValue<typeof auditLogs>;

export interface DiffEntry {
  old?: unknown;
  new?: unknown;
  secret: boolean;
}
export type AuditDiff = Record<string, DiffEntry>;

const MAX_STRING = 256;
const MAX_ITEMS = 32;

/**
 * The first `max` UTF-16 units of `s`, one fewer when the cut would split a surrogate pair: half a pair is
 * not valid Unicode, and Postgres refuses it in jsonb, which would fail the request's transaction.
 */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A recorded value, bounded: long strings cut, long lists cut, nested objects flattened to capped JSON.
 * Request bodies reach this only after src/security/input.ts limited their depth, so stringify is safe.
 */
function bounded(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string") return value.length > MAX_STRING ? `${cut(value, MAX_STRING)}…` : value;
  if (Array.isArray(value) && depth === 0) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  return bounded(JSON.stringify(value) ?? "", depth + 1);
}

/**
 * An email field's value, when it is a valid address by the rule user creation applies. Anything else (a
 * password typed into the email box) is left out of the record.
 */
const recordableEmail = (value: unknown): string | undefined =>
  typeof value === "string" && isEmailAddress(value) ? value : undefined;

/** The diff of one request: allow-listed fields with their values, secret fields as a bare flag. */
export function buildDiff(rule: AuditRule, body: unknown): AuditDiff {
  const diff: AuditDiff = {};
  for (const [field, value] of Object.entries(rule.implied ?? {})) {
    const secret = typeof value === "object" && value !== null && (value as { secret?: unknown }).secret === true;
    diff[field] = secret ? { secret: true } : { new: value, secret: false };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return diff;
  const record = body as Record<string, unknown>;
  for (const field of rule.fields ?? []) {
    if (!Object.hasOwn(record, field)) continue;
    const value = record[field];
    if (field === "email" && recordableEmail(value) === undefined) continue;
    diff[field] = { new: bounded(value), secret: false };
  }
  for (const field of rule.secrets ?? []) {
    if (Object.hasOwn(record, field)) diff[field] = { secret: true };
  }
  return diff;
}

/** The claims of a token this server just issued (a Set-Cookie or a create response): no need to verify. */
function claimsOf(token: unknown): { sub?: string; jti?: string } {
  if (typeof token !== "string") return {};
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64UrlDecode(token.split(".")[1] ?? ""))) as Record<string, unknown>;
    return {
      sub: typeof payload.sub === "string" ? payload.sub : undefined,
      jti: typeof payload.jti === "string" ? payload.jti : undefined,
    };
  } catch {
    return {};
  }
}

function base64UrlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

/** The session token a response set, if it set one (login, OAuth callbacks). */
export function issuedSession(c: Ctx): string | undefined {
  // Set-Cookie lines are joined with ", " here; a token (base64url and dots) holds neither ',' nor ';'.
  const match = new RegExp(`(?:^|,\\s*)${SESSION_COOKIE}=([^;,]+)`).exec(c.res.headers.get("set-cookie") ?? "");
  return match?.[1];
}


/** The JSON of a successful response, for the id of what it created; never stored itself. */
async function responseJson(c: Ctx): Promise<Record<string, unknown>> {
  if (c.res.status < 200 || c.res.status >= 300) return {};
  try {
    const parsed: unknown = await c.res.clone().json();
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown, max = MAX_STRING): string => (typeof v === "string" ? cut(v, max) : "");

interface Resolved {
  resourceId: string;
  resourceTarget: string;
  /** The acting user when the request had no session (a login: the user it signed in). */
  userId?: string;
  /** Resolve the acting user from this email inside the insert (failed logins, password resets). */
  userEmail?: string;
}

async function resolve(c: Ctx, rule: AuditRule, actor: Actor | undefined, body: Record<string, unknown>): Promise<Resolved> {
  const email = recordableEmail(body.email);
  switch (rule.resource) {
    case "target": {
      const target = c.get("target") as UserWithOrgs | undefined;
      return target
        ? { resourceId: target.user.id, resourceTarget: target.user.username }
        : { resourceId: "", resourceTarget: str(c.req.param("user"), 64) };
    }
    case "created-user": {
      const res = await responseJson(c);
      const id = str(res.id) || str(res.user_id);
      return { resourceId: id, resourceTarget: str(res.username) || str(body.username, 64) };
    }
    case "session": {
      const issued = claimsOf(issuedSession(c));
      if (issued.jti) return { resourceId: issued.jti, resourceTarget: email ?? "", userId: issued.sub };
      if (actor) return { resourceId: actor.key.id, resourceTarget: actor.user.username };
      return { resourceId: "", resourceTarget: email ?? "", userEmail: email };
    }
    case "created-key": {
      const { jti } = claimsOf((await responseJson(c)).key);
      return { resourceId: jti ?? "", resourceTarget: str(body.token_name, 64) || (jti ?? "") };
    }
    case "key-param":
      return { resourceId: str(c.req.param("keyid"), 64), resourceTarget: str(c.req.param("keyid"), 64) };
    case "email":
      return { resourceId: "", resourceTarget: email ?? "", userEmail: email };
  }
}

/**
 * The row that records this request under `rule`, or undefined when the request is not recorded: a 429 (the
 * flood a limit exists for; recording each would let it through), a request without a session on a route
 * that takes one (unauthenticated noise), or an OAuth hop that neither signed in nor failed.
 */
export async function auditRow(c: Ctx, rule: AuditRule): Promise<AuditRow | undefined> {
  if (c.res.status === 429) return undefined;
  const actor = c.get("actor") as Actor | undefined;
  if (!actor && !rule.public) return undefined;
  if (rule.onlyOutcomes && c.res.status < 400 && !issuedSession(c)) return undefined;

  // The body as src/security/input.ts parsed and accepted it: never a refused one (too large, too deep,
  // holding text Postgres cannot store).
  const raw = c.get("jsonBody");
  const body = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const resolved = await resolve(c, rule, actor, body);
  const userId = actor?.userId ?? resolved.userId;
  return {
    time: c.env.deps.now(),
    userId:
      userId ??
      (resolved.userEmail
        ? sql`(select id from users where lower(email) = lower(${resolved.userEmail}) and deleted = false limit 1)`
        : null),
    ip: clientIp(c.env),
    userAgent: str(c.req.header("user-agent"), 512),
    resourceType: rule.resourceType,
    resourceId: resolved.resourceId,
    resourceTarget: resolved.resourceTarget,
    action: rule.action,
    diff: buildDiff(rule, raw),
    statusCode: c.res.status,
    requestId: str(c.get("requestId"), 255),
  };
}
