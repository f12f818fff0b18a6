// Who may do what, as data (Coder's coderd/rbac/roles.go). The whole policy is the role tables below plus the scope
// catalogue in scopes.ts: read them to audit it. A grant is `resource: actions`, `*` matching any. Site
// grants apply everywhere; `self` grants only to the actor's own user; org grants only inside the
// organization where the role is held. A token's scopes and allow list can only narrow what its user's
// roles allow (Coder's coderd/rbac/scopes.go).
import { scopeGrants } from "./scopes.ts";

export type Action =
  | "create"
  | "read"
  | "update"
  | "delete"
  | "read_personal"
  | "update_personal"
  | "assign"
  // Actions on resources Gatehouse does not serve itself; scopes may still name them (Coder's coderd/rbac/scopes_catalog.go).
  | "ssh"
  | "start"
  | "stop"
  | "application_connect"
  | "use"
  | "share"
  | "view_insights"
  | "*";
export type Resource =
  | "user"
  | "api_key"
  | "assign_role"
  | "assign_org_role"
  | "organization"
  | "organization_member"
  | "audit_log"
  | "workspace"
  | "template"
  | "file"
  | "provisioner_jobs"
  | "user_secret"
  | "user_skill"
  | "organization_skill"
  | "inbox_notification"
  | "notification_preference"
  | "chat_model_config"
  | "webpush_subscription"
  | "*";
export type Grants = Partial<Record<Resource, readonly Action[]>>;

interface RoleDef {
  displayName: string;
  site?: Grants;
  self?: Grants;
  /** Roles this role may grant and revoke (Coder's coderd/rbac/roles.go `CanAssignRole`). */
  assigns: readonly string[];
}

const ALL_SITE_ROLES = ["owner", "user-admin", "template-admin", "auditor", "member"] as const;
const ALL_ORG_ROLES = [
  "organization-admin",
  "organization-user-admin",
  "organization-auditor",
  "organization-template-admin",
  "organization-member",
] as const;

export const SITE_ROLES = {
  owner: { displayName: "Owner", site: { "*": ["*"] }, assigns: [...ALL_SITE_ROLES, ...ALL_ORG_ROLES] },
  "user-admin": {
    displayName: "User Admin",
    site: {
      user: ["create", "read", "update", "delete", "read_personal", "update_personal"],
      assign_role: ["read"],
      assign_org_role: ["read"],
      organization: ["read"],
      organization_member: ["create", "read", "update", "delete"],
    },
    assigns: ["member", "organization-member"],
  },
  "template-admin": {
    displayName: "Template Admin",
    site: { user: ["read"], organization: ["read"], organization_member: ["read"] },
    assigns: [],
  },
  auditor: {
    displayName: "Auditor",
    site: { user: ["read"], organization: ["read"], organization_member: ["read"], audit_log: ["read"] },
    assigns: [],
  },
  // Implied for every user, never stored.
  member: {
    displayName: "Member",
    self: {
      user: ["read", "read_personal", "update_personal"],
      api_key: ["*"],
      webpush_subscription: ["create", "read", "delete"],
      notification_preference: ["read", "update"],
    },
    site: { assign_role: ["read"] },
    assigns: [],
  },
} as const satisfies Record<string, RoleDef>;

export const ORG_ROLES = {
  "organization-admin": {
    displayName: "Organization Admin",
    site: { organization: ["read", "update"], organization_member: ["*"], assign_org_role: ["*"], audit_log: ["read"] },
    assigns: ALL_ORG_ROLES,
  },
  "organization-user-admin": {
    displayName: "Organization User Admin",
    site: { organization: ["read"], organization_member: ["*"], assign_org_role: ["read"] },
    assigns: ["organization-member"],
  },
  "organization-auditor": {
    displayName: "Organization Auditor",
    site: { organization: ["read"], organization_member: ["read"], audit_log: ["read"] },
    assigns: [],
  },
  "organization-template-admin": {
    displayName: "Organization Template Admin",
    site: { organization: ["read"], organization_member: ["read"] },
    assigns: [],
  },
  // Implied for every member of the organization, never stored.
  "organization-member": {
    displayName: "",
    site: { organization: ["read"], organization_member: ["read"] },
    assigns: [],
  },
} as const satisfies Record<string, RoleDef>;

export type SiteRole = keyof typeof SITE_ROLES;
export type OrgRole = keyof typeof ORG_ROLES;

const siteRole = (name: string): RoleDef | undefined => (SITE_ROLES as Record<string, RoleDef>)[name];
const orgRole = (name: string): RoleDef | undefined => (ORG_ROLES as Record<string, RoleDef>)[name];

export const isSiteRole = (name: string): boolean => siteRole(name) !== undefined;
export const isOrgRole = (name: string): boolean => orgRole(name) !== undefined;
export const siteRoleDisplayName = (name: string): string => siteRole(name)?.displayName ?? "";
export const orgRoleDisplayName = (name: string): string => orgRole(name)?.displayName ?? "";

/** Do `grants` permit `action` on `resource`? Asking about `*` is answered only by a `*` grant. */
export function allows(grants: Grants | undefined, resource: Resource, action: Action): boolean {
  if (!grants) return false;
  for (const r of [resource, "*"] as const) {
    const actions = grants[r];
    if (actions && (actions.includes(action) || actions.includes("*"))) return true;
  }
  return false;
}

/** Do a token's scopes permit `action` on `resource`? Unknown scope names grant nothing. */
export function scopesAllow(scopes: readonly string[], resource: Resource, action: Action): boolean {
  return scopes.some((s) => allows(scopeGrants(s), resource, action));
}

export interface Subject {
  userId: string;
  siteRoles: readonly string[];
  scopes: readonly string[];
  /** The key's allow list as `type:id` strings (Coder's coderd/rbac/allowlist.go); `*:*` means no restriction. */
  allowList: readonly string[];
  memberships: readonly { organization_id: string; roles: readonly string[] }[];
}

export interface Target {
  /** The user the object belongs to (a user's own id for `user`). */
  ownerId?: string;
  /** The organization the object lives in. */
  orgId?: string;
  /** The object's own id, matched against allow lists; users and organizations default to theirs. */
  id?: string;
}

function objectId(resource: Resource, target: Target): string | undefined {
  if (target.id !== undefined) return target.id;
  if (resource === "user") return target.ownerId;
  if (resource === "organization") return target.orgId;
  return undefined;
}

/**
 * Does the allow list admit the object? Without an object id (a question about every object of a type,
 * or about one not created yet) only a wildcard id can answer yes.
 */
export function allowListAllows(allowList: readonly string[], resource: Resource, target: Target = {}): boolean {
  const id = objectId(resource, target);
  return allowList.some((entry) => {
    const sep = entry.indexOf(":");
    const type = entry.slice(0, sep);
    const entryId = entry.slice(sep + 1);
    return (type === "*" || type === resource) && (entryId === "*" || entryId === id);
  });
}

/**
 * The ids of `resource` the allow list admits, for filtering a list in SQL: undefined when it admits every
 * one (`*:*` or `<resource>:*`), else the ids named by `<resource>:<id>` and `*:<id>` entries (maybe none).
 */
export function allowListIds(allowList: readonly string[], resource: Resource): string[] | undefined {
  const ids: string[] = [];
  for (const entry of allowList) {
    const sep = entry.indexOf(":");
    const type = entry.slice(0, sep);
    if (type !== "*" && type !== resource) continue;
    const id = entry.slice(sep + 1);
    if (id === "*") return undefined;
    ids.push(id);
  }
  return ids;
}

/** Roles and scopes alone, before the allow list: for pre-filtering lists that `can` then checks row by row. */
export function permits(subject: Subject, resource: Resource, action: Action, target: Target = {}): boolean {
  if (!scopesAllow(subject.scopes, resource, action)) return false;
  const bySite = ["member", ...subject.siteRoles].some((name) => {
    const role = siteRole(name);
    if (!role) return false;
    return allows(role.site, resource, action) || (target.ownerId === subject.userId && allows(role.self, resource, action));
  });
  if (bySite || !target.orgId) return bySite;
  const membership = subject.memberships.find((m) => m.organization_id === target.orgId);
  if (!membership) return false;
  return ["organization-member", ...membership.roles].some((name) => allows(orgRole(name)?.site, resource, action));
}

/**
 * May `subject` perform `action` on `resource`? Roles decide; the token's scopes and allow list can only
 * narrow, so a token never does more than its user.
 */
export function can(subject: Subject, resource: Resource, action: Action, target: Target = {}): boolean {
  return permits(subject, resource, action, target) && allowListAllows(subject.allowList, resource, target);
}

/** May `subject` grant or revoke site role `role`? */
export function canAssignSiteRole(subject: Subject, role: string): boolean {
  if (!can(subject, "assign_role", "read")) return false;
  return ["member", ...subject.siteRoles].some((name) => siteRole(name)?.assigns.includes(role) ?? false);
}

/** May `subject` grant or revoke org role `role` inside organization `orgId`? */
export function canAssignOrgRole(subject: Subject, role: string, orgId: string): boolean {
  // The role tables below decide who may assign; a narrowed token must also be allowed to.
  if (!scopesAllow(subject.scopes, "assign_org_role", "assign") || !allowListAllows(subject.allowList, "assign_org_role")) return false;
  const viaSite = subject.siteRoles.some((name) => siteRole(name)?.assigns.includes(role) ?? false);
  if (viaSite) return true;
  const membership = subject.memberships.find((m) => m.organization_id === orgId);
  return membership?.roles.some((name) => orgRole(name)?.assigns.includes(role) ?? false) ?? false;
}

/** The site role whose holders only their peers may change. */
export const OWNER_ROLE = "owner";

/**
 * May `subject` change user `target` at all (delete, suspend or activate, rename, set the password or the
 * roles, regenerate the Git SSH key, edit settings)? `can` says whether the action is allowed; this says on
 * whom: only an owner may change another owner, so a user admin can neither remove nor take over the
 * accounts that can undo what it does. Stricter than Coder, whose putUserPassword holds back only an
 * owner's password (https://github.com/coder/coder/blob/main/coderd/users.go); it also refuses to
 * suspend any owner, a rule put-user-status.ts keeps for everyone.
 */
export function mayActOnUser(subject: Subject, target: { id: string; rbacRoles: readonly string[] }): boolean {
  return target.id === subject.userId || !target.rbacRoles.includes(OWNER_ROLE) || subject.siteRoles.includes(OWNER_ROLE);
}
