// GET /api/v2/audit: the audit log, newest first, for owners and auditors (site `audit_log: read`), with
// Coder's `q`, `limit` and `offset` and Coder's response shape ({audit_logs, count}). One statement: the
// page, each row's acting user with their memberships, and the total.
import { z } from "@hono/zod-openapi";
import { can } from "../auth/rbac.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import { apiError, forbidden } from "../http/errors.ts";
import { parsePagination, type Pagination } from "../http/pagination.ts";
import type { Router } from "../http/router.ts";
import { rfc3339 } from "../compat/time.ts";
import { NIL_UUID } from "../compat/go-parse.ts";
import { organizationIdsOf, UserSchema, userView } from "../users/view.ts";
import type { AuditDiff } from "./record.ts";
import { listAuditLogs } from "./queries.ts";
import { parseAuditSearch } from "./search.ts";

/** Coder's default page when `limit` is absent or 0. */
const DEFAULT_LIMIT = 100;
/** A page is built in memory: past this, a caller pages with offset instead. */
const MAX_LIMIT = 1000;

const Query = z.object({
  q: z.string().optional().openapi({ description: "Search query: action, resource_type, username, email, status" }),
  limit: z.string().optional().openapi({ description: "Page limit (default 100, at most 1000)", type: "integer" }),
  offset: z.string().optional().openapi({ description: "Page offset", type: "integer" }),
});

const DiffField = z.object({ old: z.unknown().optional(), new: z.unknown().optional(), secret: z.boolean() });

const AuditLogSchema = z
  .object({
    id: z.uuid(),
    request_id: z.string(),
    time: z.string(),
    ip: z.string(),
    user_agent: z.string(),
    resource_type: z.string(),
    resource_id: z.string(),
    resource_target: z.string(),
    resource_icon: z.string(),
    action: z.string(),
    diff: z.record(z.string(), DiffField),
    status_code: z.number().int(),
    additional_fields: z.record(z.string(), z.unknown()),
    description: z.string(),
    resource_link: z.string(),
    is_deleted: z.boolean(),
    organization_id: z.string(),
    // A union, not UserSchema.nullable(): .nullable() on a registered schema makes the shared "User"
    // component itself nullable, which would document every user route as possibly answering null.
    user: z.union([UserSchema, z.null()]),
  })
  .openapi("AuditLog");

const AuditLogResponse = z.object({ audit_logs: z.array(AuditLogSchema), count: z.number().int() }).openapi("AuditLogResponse");

const route = defineRoute("get", "/audit", "Get audit logs", {
  tags: ["Audit"],
  auth: "session",
  query: Query,
  errors: [400, 403],
  responses: ok(AuditLogResponse),
});

const FRIENDLY_ACTION: Record<string, string> = {
  create: "created",
  write: "updated",
  delete: "deleted",
  login: "logged in",
  logout: "logged out",
  request_password_reset: "password reset requested",
};
const FRIENDLY_RESOURCE: Record<string, string> = { user: "user", api_key: "token", git_ssh_key: "git ssh key" };

/** Coder's description template: the dashboard substitutes {user} and {target}. */
function describe(action: string, resourceType: string, statusCode: number): string {
  const who = action === "request_password_reset" ? "" : "{user} ";
  const what = statusCode >= 400 ? `unsuccessfully attempted to ${action}` : (FRIENDLY_ACTION[action] ?? action);
  if (resourceType === "api_key" && (action === "login" || action === "logout")) return `${who}${what}`;
  const resource = FRIENDLY_RESOURCE[resourceType] ?? resourceType;
  if (resourceType === "git_ssh_key") return `${who}${what} the ${resource}`;
  return `${who}${what} ${resource} {target}`;
}

/**
 * Coder's pagination with the audit log's own page size. `after_id` is accepted for Coder's clients, which
 * send it with every paginated call, but the audit log pages by offset.
 */
function auditPage(page: Pagination): { limit: number; offset: number } {
  return { limit: page.limit === 0 ? DEFAULT_LIMIT : Math.min(page.limit, MAX_LIMIT), offset: page.offset };
}

export const getAuditLogs = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "audit_log", "read")) throw forbidden();
    const parsed = parseAuditSearch(c.req.query("q") ?? "");
    if (!parsed.ok) throw apiError(400, "Invalid audit search query.", undefined, parsed.validations);
    const pagination = parsePagination((key) => c.req.query(key));
    if (pagination.validations.length > 0) throw apiError(400, "Query parameters have invalid values.", undefined, pagination.validations);
    const page = auditPage(pagination.page);

    const { rows, count } = await listAuditLogs(c.env.deps.db, parsed.search, actor.userId, page);

    const audit_logs = rows.map(({ log, user, memberships }) => ({
      id: log.id,
      request_id: log.requestId,
      time: rfc3339(log.time),
      ip: log.ip ?? "",
      user_agent: log.userAgent,
      resource_type: log.resourceType,
      resource_id: log.resourceId,
      resource_target: log.resourceTarget,
      resource_icon: "",
      action: log.action,
      diff: log.diff as AuditDiff,
      status_code: log.statusCode,
      additional_fields: log.additionalFields as Record<string, unknown>,
      description: describe(log.action, log.resourceType, log.statusCode),
      resource_link: "",
      is_deleted: false,
      organization_id: log.organizationId ?? NIL_UUID,
      user: user ? userView(user, organizationIdsOf(memberships)) : null,
    }));
    return c.json({ audit_logs, count }, 200);
  });
