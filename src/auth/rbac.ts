// Who may do what, as data (spec/behavior.md §6). The whole policy is the two tables below: read them to
// audit it. A grant is `resource: actions`, `*` matching any. Site grants apply everywhere; `self` grants
// only to the actor's own user; org grants only inside the organization where the role is held.
export type Action = "create" | "read" | "update" | "delete" | "read_personal" | "update_personal" | "assign" | "*";
export type Resource =
  | "user"
  | "api_key"
  | "assign_role"
  | "assign_org_role"
  | "organization"
  | "organization_member"
  | "audit_log"
  | "*";
type Grants = Partial<Record<Resource, readonly Action[]>>;

interface RoleDef {
  displayName: string;
  site?: Grants;
  self?: Grants;
  /** Roles this role may grant and revoke (spec/behavior.md §6.1 "Who may assign what"). */
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
    self: { user: ["read", "read_personal", "update_personal"], api_key: ["*"] },
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

function allows(grants: Grants | undefined, resource: Resource, action: Action): boolean {
  if (!grants) return false;
  for (const r of [resource, "*"] as const) {
    const actions = grants[r];
    if (actions && (actions.includes(action) || actions.includes("*"))) return true;
  }
  return false;
}

/** What the scopes of a token permit; `coder:all` is no limit. Unknown scopes grant nothing. */
const SCOPE_GRANTS: Record<string, Grants> = {
  "coder:all": { "*": ["*"] },
  "coder:application_connect": {},
};

export interface Subject {
  userId: string;
  siteRoles: readonly string[];
  scopes: readonly string[];
  memberships: readonly { organization_id: string; roles: readonly string[] }[];
}

export interface Target {
  /** The user the object belongs to (a user's own id for `user`). */
  ownerId?: string;
  /** The organization the object lives in. */
  orgId?: string;
}

/** May `subject` perform `action` on `resource`? Roles decide; the token's scopes can only narrow. */
export function can(subject: Subject, resource: Resource, action: Action, target: Target = {}): boolean {
  if (!subject.scopes.some((s) => allows(SCOPE_GRANTS[s], resource, action))) return false;
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

/** May `subject` grant or revoke site role `role`? */
export function canAssignSiteRole(subject: Subject, role: string): boolean {
  if (!can(subject, "assign_role", "read")) return false;
  return ["member", ...subject.siteRoles].some((name) => siteRole(name)?.assigns.includes(role) ?? false);
}

/** May `subject` grant or revoke org role `role` inside organization `orgId`? */
export function canAssignOrgRole(subject: Subject, role: string, orgId: string): boolean {
  const viaSite = subject.siteRoles.some((name) => siteRole(name)?.assigns.includes(role) ?? false);
  if (viaSite) return true;
  const membership = subject.memberships.find((m) => m.organization_id === orgId);
  return membership?.roles.some((name) => orgRole(name)?.assigns.includes(role) ?? false) ?? false;
}
