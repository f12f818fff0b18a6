// The scopes a token may carry and what each one permits, as data (Coder's coderd/rbac/scopes.go). `can()` in
// rbac.ts reads these grants on every request, the API key endpoints validate requested names against
// them, GET /api/v2/auth/scopes publishes them and the scope table of docs/tokens-and-scopes.md is generated from them, so
// the four cannot disagree. A scope only narrows: a request passes when the user's roles AND at least one
// of the token's scopes allow it.
import type { Action, Grants, Resource } from "./rbac.ts";

export type ScopeKind = "special" | "composite" | "low-level";

export interface ScopeEntry {
  name: string;
  kind: ScopeKind;
  description: string;
  grants: Grants;
}

/** The two scopes Coder has always had; `coder:all` is a session's scope and means "no narrowing". */
const SPECIAL: Record<string, { description: string; grants: Grants }> = {
  "coder:all": { description: "Everything the token's user may do.", grants: { "*": ["*"] } },
  "coder:application_connect": {
    description: "Connecting to workspace applications only; no access to the Users API.",
    grants: { workspace: ["application_connect"] },
  },
};

/** Named bundles of low-level permissions, as Coder's composite `coder:*` scopes expand. */
const COMPOSITE: Record<string, { description: string; grants: Grants }> = {
  "coder:workspaces.create": {
    description: "Create workspaces from templates and run them.",
    grants: { template: ["read", "use"], workspace: ["create", "read", "update", "start", "stop"], organization_member: ["read"] },
  },
  "coder:workspaces.operate": {
    description: "Read, update, start and stop existing workspaces.",
    grants: { template: ["read"], workspace: ["read", "update", "start", "stop"], organization_member: ["read"] },
  },
  "coder:workspaces.delete": {
    description: "Delete workspaces.",
    grants: { template: ["read", "use"], workspace: ["read", "delete"], organization_member: ["read"] },
  },
  "coder:workspaces.access": {
    description: "Connect to workspaces over SSH and to their applications.",
    grants: { template: ["read"], workspace: ["read", "ssh", "application_connect"], organization_member: ["read"] },
  },
  "coder:templates.build": {
    description: "Upload files and build template versions.",
    grants: { template: ["read"], file: ["create", "read"], provisioner_jobs: ["read"] },
  },
  "coder:templates.author": {
    description: "Create, edit and delete templates.",
    grants: { template: ["read", "create", "update", "delete", "view_insights"], file: ["create", "read"] },
  },
  "coder:apikeys.manage_self": {
    description: "Manage API keys (the token's user's own, unless the user's roles reach further).",
    grants: { api_key: ["read", "create", "update", "delete"] },
  },
};

/**
 * The `resource:action` scopes a token may request. `wildcard` offers `resource:*` as well; it is left out
 * where `*` would also grant an action that must stay internal (creating inbox notifications, say).
 */
const LOW_LEVEL: Partial<Record<Resource, { actions: readonly Action[]; wildcard: boolean }>> = {
  workspace: { actions: ["read", "create", "update", "delete", "ssh", "start", "stop", "application_connect"], wildcard: true },
  template: { actions: ["read", "create", "update", "delete", "use"], wildcard: true },
  api_key: { actions: ["read", "create", "update", "delete"], wildcard: true },
  file: { actions: ["read", "create"], wildcard: true },
  user: { actions: ["read", "read_personal", "update_personal"], wildcard: true },
  user_secret: { actions: ["read", "create", "update", "delete"], wildcard: true },
  user_skill: { actions: ["read", "create", "update", "delete"], wildcard: true },
  organization: { actions: ["read", "update", "delete"], wildcard: true },
  organization_skill: { actions: ["read", "create", "update", "delete", "share"], wildcard: true },
  inbox_notification: { actions: ["read", "update"], wildcard: false },
  chat_model_config: { actions: ["read", "share"], wildcard: false },
};

/** Spellings older clients send, in `scope` or `scopes`; stored under the canonical name. */
export const SCOPE_ALIASES: Readonly<Record<string, string>> = {
  all: "coder:all",
  application_connect: "coder:application_connect",
};

function buildCatalogue(): ScopeEntry[] {
  const out: ScopeEntry[] = [];
  for (const [name, def] of Object.entries(SPECIAL)) out.push({ name, kind: "special", ...def });
  for (const [name, def] of Object.entries(COMPOSITE)) out.push({ name, kind: "composite", ...def });
  for (const [resource, def] of Object.entries(LOW_LEVEL) as [Resource, { actions: readonly Action[]; wildcard: boolean }][]) {
    for (const action of def.actions) {
      out.push({
        name: `${resource}:${action}`,
        kind: "low-level",
        description: `${action} on ${resource}`,
        grants: { [resource]: [action] },
      });
    }
    if (def.wildcard) {
      out.push({ name: `${resource}:*`, kind: "low-level", description: `every action on ${resource}`, grants: { [resource]: ["*"] } });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every scope a token may be created with, sorted by name. */
export const SCOPE_CATALOGUE: readonly ScopeEntry[] = buildCatalogue();
const BY_NAME = new Map(SCOPE_CATALOGUE.map((s) => [s.name, s]));

/** What a stored (canonical) scope name grants; undefined for a name outside the catalogue. */
export const scopeGrants = (name: string): Grants | undefined => BY_NAME.get(name)?.grants;

/** The canonical name of a requestable scope or alias; undefined when the name may not be requested. */
export function canonicalScope(name: string): string | undefined {
  const canonical = SCOPE_ALIASES[name] ?? name;
  return BY_NAME.has(canonical) ? canonical : undefined;
}

/** The deprecated single `scope` of an API key response (Coder's coderd/apikey.go). */
export function legacyScope(scopes: readonly string[]): "application_connect" | "all" | "" {
  if (scopes.includes("coder:application_connect")) return "application_connect";
  if (scopes.includes("coder:all")) return "all";
  return "";
}

/** RBAC resource types an allow list entry may name (besides `*`), as Coder's API reference lists them. */
export const ALLOW_LIST_TYPES: ReadonlySet<string> = new Set([
  "ai_model_price",
  "ai_seat",
  "aibridge_interception",
  "api_key",
  "assign_org_role",
  "assign_role",
  "audit_log",
  "boundary_usage",
  "chat",
  "connection_log",
  "crypto_key",
  "debug_info",
  "deployment_config",
  "deployment_stats",
  "file",
  "group",
  "group_member",
  "idpsync_settings",
  "inbox_notification",
  "license",
  "notification_message",
  "notification_preference",
  "notification_template",
  "oauth2_app",
  "oauth2_app_code_token",
  "oauth2_app_secret",
  "organization",
  "organization_member",
  "prebuilt_workspace",
  "provisioner_daemon",
  "provisioner_jobs",
  "replicas",
  "system",
  "tailnet_coordinator",
  "task",
  "template",
  "usage_event",
  "user",
  "user_secret",
  "webpush_subscription",
  "workspace",
  "workspace_agent_devcontainers",
  "workspace_agent_resource_monitor",
  "workspace_dormant",
  "workspace_proxy",
]);
