// The `q` of GET /audit: a documented subset of Coder's audit search (docs/reliability.md, Audit log).
// `key:value` terms separated by spaces, the whole query lower-cased as Coder does; a value may be quoted.
// Keys: action, resource_type, username (or `me`), email (both of the acting user), status (an exact
// status code such as 401, or a class such as 4xx). Anything else is a 400 naming the term.
import type { Validation } from "../http/errors.ts";

/** Every action Coder's audit log knows; those Gatehouse never writes simply match nothing. */
const ACTIONS = [
  "create",
  "write",
  "delete",
  "start",
  "stop",
  "login",
  "logout",
  "register",
  "request_password_reset",
  "connect",
  "disconnect",
  "open",
  "close",
];

/** Coder's audited resource types, the same way. */
const RESOURCE_TYPES = [
  "template",
  "template_version",
  "user",
  "workspace",
  "workspace_build",
  "git_ssh_key",
  "api_key",
  "group",
  "license",
  "convert_login",
  "health_settings",
  "notifications_settings",
  "prebuilds_settings",
  "workspace_proxy",
  "organization",
  "oauth2_provider_app",
  "oauth2_provider_app_secret",
  "custom_role",
  "organization_member",
  "notification_template",
  "idp_sync_settings_organization",
  "idp_sync_settings_group",
  "idp_sync_settings_role",
  "workspace_agent",
  "workspace_app",
  "task",
];

export interface AuditSearch {
  action?: string;
  resourceType?: string;
  /** `me` is resolved by the route to the caller's id. */
  username?: string;
  email?: string;
  /** Inclusive status range: one code (401-401) or a class (400-499). */
  status?: { min: number; max: number };
}

export type AuditSearchResult = { ok: true; search: AuditSearch } | { ok: false; validations: Validation[] };

/** Splits on spaces outside double quotes; quotes around a value are dropped. */
function elements(q: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of q) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (current) out.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  if (current) out.push(current);
  return out;
}

export function parseAuditSearch(q: string): AuditSearchResult {
  const validations: Validation[] = [];
  const search: AuditSearch = {};
  const fail = (field: string, detail: string) => validations.push({ field, detail });
  for (const element of elements(q.toLowerCase())) {
    const colon = element.indexOf(":");
    if (colon <= 0 || colon === element.length - 1) {
      fail("q", `Query element ${JSON.stringify(element)} must be of the form key:value`);
      continue;
    }
    const key = element.slice(0, colon);
    const value = element.slice(colon + 1).replace(/^"+|"+$/g, "");
    switch (key) {
      case "action":
        if (ACTIONS.includes(value)) search.action = value;
        else fail(key, `Query param "action" has invalid value: "${value}" is not a valid audit action`);
        break;
      case "resource_type":
        if (RESOURCE_TYPES.includes(value)) search.resourceType = value;
        else fail(key, `Query param "resource_type" has invalid value: "${value}" is not a valid resource type`);
        break;
      case "username":
        search.username = value;
        break;
      case "email":
        search.email = value;
        break;
      case "status": {
        const exact = /^[1-5][0-9]{2}$/.test(value);
        const cls = /^[1-5]xx$/.test(value);
        if (exact) search.status = { min: Number(value), max: Number(value) };
        else if (cls) search.status = { min: Number(value[0]) * 100, max: Number(value[0]) * 100 + 99 };
        else fail(key, `Query param "status" must be a status code (401) or a class (4xx), got "${value}"`);
        break;
      }
      default:
        fail(key, `Query param ${JSON.stringify(key)} is not a valid query param`);
    }
  }
  return validations.length > 0 ? { ok: false, validations } : { ok: true, search };
}
