// What one audited request is recorded as: the audit_logs row built from the matched rule, the request body
// (through the rule's allow-list), the status, what the handler declared it did (facts.ts) and the request's
// context. Secret fields are recorded as `{"secret": true}` only, and nothing else is ever copied.
import { sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { Actor } from "../auth/actor.ts";
import { clientIp } from "../auth/session.ts";
import { insertSelectLists, preparedPerHandle, statementName, type Db } from "../db/index.ts";
import { auditLogs } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { isEmailAddress } from "../http/validation.ts";
import type { AuditRule } from "./actions.ts";
import type { AuditFacts } from "./facts.ts";

type Ctx = Context<AppEnv>;
/** One audit_logs row as written; the other columns keep their defaults. */
export interface AuditRow {
  time: Date;
  ip: string;
  userAgent: string;
  requestId: string;
  /** The acting user; null with `userEmail` set: the live user with that email, resolved inside the insert. */
  userId: string | null;
  userEmail?: string | undefined;
  resourceType: string;
  resourceId: string;
  resourceTarget: string;
  action: string;
  diff: AuditDiff;
  statusCode: number;
}

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
const recordableEmail = (value: unknown): string | undefined => (typeof value === "string" && isEmailAddress(value) ? value : undefined);

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

const str = (v: unknown, max = MAX_STRING): string => (typeof v === "string" ? cut(v, max) : "");

interface Resolved extends AuditFacts {
  /** Resolve the acting user from this email inside the insert (failed logins, password resets). */
  userEmail?: string;
}

/**
 * The resource as the request itself names it (AuditRule.requested): what a request is recorded as when its
 * handler declared nothing, which includes every request refused before or by its handler.
 */
function requestedResource(c: Ctx, rule: AuditRule, actor: Actor | undefined, body: Record<string, unknown>): Resolved {
  switch (rule.requested) {
    case "user-param": {
      const target = c.get("target");
      return target
        ? { resourceId: target.user.id, resourceTarget: target.user.username }
        : { resourceId: "", resourceTarget: str(c.req.param("user"), 64) };
    }
    case "keyid-param": {
      const keyId = str(c.req.param("keyid"), 64);
      return { resourceId: keyId, resourceTarget: keyId };
    }
    case "keyname-param":
      return { resourceId: "", resourceTarget: str(c.req.param("keyname"), 64) };
    case "body-username":
      return { resourceId: "", resourceTarget: str(body.username, 64) };
    case "body-token-name":
      return { resourceId: "", resourceTarget: str(body.token_name, 64) };
    case "body-email": {
      const email = recordableEmail(body.email);
      // Cut like every other recorded string: the address rule has no length limit, and a megabyte-long
      // "address" must not become a megabyte-long row.
      return { resourceId: "", resourceTarget: email === undefined ? "" : cut(email, MAX_STRING), userEmail: email };
    }
    case "caller-session":
      return actor ? { resourceId: actor.key.id, resourceTarget: actor.user.username } : { resourceId: "", resourceTarget: "" };
    case undefined:
      return { resourceId: "", resourceTarget: "" };
  }
}

/**
 * The columns every audit row takes from the request itself: when, from where, with what client, under
 * which request id. Shared with the rows a handler writes itself (the login conversion in src/oauth/convert.ts).
 */
export function requestColumns(c: Ctx): Pick<AuditRow, "time" | "ip" | "userAgent" | "requestId"> {
  return {
    time: c.env.deps.now(),
    ip: clientIp(c.env),
    userAgent: str(c.req.header("user-agent"), 512),
    requestId: str(c.get("requestId"), 255),
  };
}

/**
 * The row that records this request under `rule`, or undefined when the request is not recorded: a 429 (the
 * flood a limit exists for; recording each would let it through), a request without a session on a route
 * that takes one (unauthenticated noise), or an OAuth hop that neither signed in nor failed.
 */
export function auditRow(c: Ctx, rule: AuditRule): AuditRow | undefined {
  // What the handler declared holds only for a success: an error rolled back whatever it created.
  return auditRowOf(c, rule, c.res.status, c.res.status < 400 ? c.get("auditFacts") : undefined);
}

/** auditRow for an answer with `status` and what the handler `declared`, before the answer exists. */
export function auditRowOf(c: Ctx, rule: AuditRule, status: number, declared: AuditFacts | undefined): AuditRow | undefined {
  if (status === 429) return undefined;
  const actor = c.get("actor");
  if (!actor && !rule.public) return undefined;
  if (rule.onlyOutcomes && status < 400 && !declared) return undefined;

  // The body as src/security/input.ts parsed and accepted it: never a refused one (too large, too deep,
  // holding text Postgres cannot store).
  const raw = c.get("jsonBody");
  const body = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const resolved: Resolved = declared ?? requestedResource(c, rule, actor, body);
  const userId = actor?.userId ?? resolved.userId;
  return {
    ...requestColumns(c),
    userId: userId ?? null,
    userEmail: userId ? undefined : resolved.userEmail,
    resourceType: rule.resourceType,
    resourceId: resolved.resourceId,
    resourceTarget: resolved.resourceTarget,
    action: rule.action,
    diff: buildDiff(rule, raw),
    statusCode: status,
  };
}

/** The fields of an AuditRow that every insert writes (the other columns keep their defaults). */
const WRITTEN_FIELDS = [
  "time",
  "ip",
  "userAgent",
  "requestId",
  "userId",
  "resourceType",
  "resourceId",
  "resourceTarget",
  "action",
  "diff",
  "statusCode",
] as const satisfies readonly (keyof AuditRow)[];

/**
 * The insert of an audit row, prepared (src/db/index.ts): every audited request writes one, and building
 * the eleven-column insert cost more event-loop time than sending it (npm run bench, docs/performance.md).
 * Two forms: the acting user given, or looked up by the email the request named.
 */
const insertStatement = (byEmail: boolean) =>
  preparedPerHandle((db: Db) => {
    const values: Record<string, unknown> = Object.fromEntries(WRITTEN_FIELDS.map((f) => [f, sql.placeholder(f)]));
    if (byEmail)
      values.userId = sql`(select id from users where lower(email) = lower(${sql.placeholder("userEmail")}) and deleted = false limit 1)`;
    return db
      .insert(auditLogs)
      .values(values as unknown as typeof auditLogs.$inferInsert)
      .prepare(statementName(db, byEmail ? "gatehouse_audit_insert_by_email" : "gatehouse_audit_insert"));
  });
const insertWithUser = insertStatement(false);
const insertByEmail = insertStatement(true);

/** The placeholder of an audit field inside a statement that fills other placeholders too. */
const selectedParam = (field: string) => `audit_${field}`;

/**
 * `insert into audit_logs ... select <the row> from <source>`: the record written by the statement that
 * makes the change it records, one row per row of `source` (a WITH query over that change's RETURNING), so
 * the change and its record commit together or not at all without a transaction. Its placeholders are
 * filled by auditParams (src/db/index.ts insertSelectLists). The acting user is given (userId), never looked
 * up by email.
 */
export function auditInsertFrom(source: SQL): SQL {
  const { columns, values } = insertSelectLists(auditLogs, WRITTEN_FIELDS, selectedParam);
  return sql`insert into ${auditLogs} (${columns}) select ${values} from ${source}`;
}

/** The placeholders of auditInsertFrom, filled from `row`. */
export const auditParams = (row: AuditRow): Record<string, unknown> =>
  Object.fromEntries(WRITTEN_FIELDS.map((f) => [selectedParam(f), row[f]]));

/** Writes `row` on `db` (the request's transaction, or the pool after the response). */
export async function insertAuditRow(db: Db, row: AuditRow): Promise<void> {
  const byEmail = row.userId === null && row.userEmail !== undefined;
  await (byEmail ? insertByEmail : insertWithUser)(db).execute({ ...row });
}
