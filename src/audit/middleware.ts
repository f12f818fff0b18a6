// The audit trail: one middleware in front of every /api/v2 route. After the response it looks the matched
// route up in AUDIT_RULES and, for a state-changing one, writes one audit_logs row through deps.defer, so
// the request pays no round trip for it. The row's diff is built from the request body through the rule's
// allow-list: secret fields are recorded as `{"secret": true}` only, and nothing else is ever copied.
import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../auth/actor.ts";
import { clientIp } from "../auth/session.ts";
import { SESSION_COOKIE } from "../auth/token-source.ts";
import { auditLogs } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { matchedRoute } from "../http/route.ts";
import type { UserWithOrgs } from "../users/queries.ts";
import { AUDIT_RULES, type AuditRule } from "./actions.ts";

type Ctx = Context<AppEnv>;

export interface DiffEntry {
  old?: unknown;
  new?: unknown;
  secret: boolean;
}
export type AuditDiff = Record<string, DiffEntry>;

const MAX_STRING = 256;
const MAX_ITEMS = 32;
/** Shorter than any password policy allows, longer than any real address: what an email field may hold. */
const EMAIL_LIKE = /^[^\s@\u0000-\u001f]{1,64}@[^\s@\u0000-\u001f]{1,253}$/;

/** A recorded value, bounded: long strings cut, long lists cut, nested objects flattened to capped JSON. */
function bounded(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string") return clean(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  if (Array.isArray(value) && depth === 0) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  return bounded(JSON.stringify(value) ?? "", depth + 1);
}

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
    // Someone who types a password into the email box must not find it in the audit log.
    if (field === "email" && !(typeof value === "string" && EMAIL_LIKE.test(value))) continue;
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
function issuedSession(c: Ctx): string | undefined {
  // Set-Cookie lines are joined with ", " here; a token (base64url and dots) holds neither ',' nor ';'.
  const match = new RegExp(`(?:^|,\\s*)${SESSION_COOKIE}=([^;,]+)`).exec(c.res.headers.get("set-cookie") ?? "");
  return match?.[1];
}

/** The request body as JSON, read from Hono's cache (the route already read it); undefined if there is none. */
async function requestBody(c: Ctx): Promise<unknown> {
  // 413: the body was refused for its size; reading it now would do what the limit prevented.
  if (c.req.method === "GET" || c.res.status === 413) return undefined;
  try {
    const text = await c.req.text();
    return text.length > 0 && text.length <= 1024 * 1024 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
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

/**
 * Postgres refuses U+0000 in text and jsonb: one in a recorded value would make the deferred insert fail
 * and the request go unrecorded, so an attacker could hide an action behind one.
 */
const clean = (s: string): string => s.replaceAll("\u0000", "\uFFFD");

const str = (v: unknown, max = MAX_STRING): string => (typeof v === "string" ? clean(v.slice(0, max)) : "");

interface Resolved {
  resourceId: string;
  resourceTarget: string;
  /** The acting user when the request had no session (a login: the user it signed in). */
  userId?: string;
  /** Resolve the acting user from this email inside the insert (failed logins, password resets). */
  userEmail?: string;
}

async function resolve(c: Ctx, rule: AuditRule, actor: Actor | undefined, body: Record<string, unknown>): Promise<Resolved> {
  const email = typeof body.email === "string" && EMAIL_LIKE.test(body.email) ? body.email : undefined;
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

export const auditTrail = (): MiddlewareHandler<AppEnv> =>
  async function auditTrail(c, next) {
    await next();
    // Rate-limited requests are the flood the limit exists for; recording each would let it through.
    if (c.res.status === 429 || c.req.method === "HEAD") return;
    const route = matchedRoute(c);
    const rule = route ? AUDIT_RULES[`${route.method} ${route.path}`] : undefined;
    if (!rule) return;
    const actor = c.get("actor") as Actor | undefined;
    if (!actor && !rule.public) return;
    if (rule.onlyOutcomes && c.res.status < 400 && !issuedSession(c)) return;

    const raw = await requestBody(c);
    const body = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const resolved = await resolve(c, rule, actor, body);
    const deps = c.env.deps;
    const userId = actor?.userId ?? resolved.userId;
    deps.defer((db) =>
      db.insert(auditLogs).values({
        time: deps.now(),
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
      }),
    );
  };
