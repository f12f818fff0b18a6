// Who may do what, as data (spec/behavior.md §6). A reader audits the whole policy in this table.
// Permissions are `resource: actions`; `*` matches any. `self` grants apply only to the actor's own user.
export type Action = "create" | "read" | "update" | "delete" | "read_personal" | "update_personal" | "assign" | "*";
export type Resource = "user" | "api_key" | "assign_role" | "organization" | "organization_member" | "audit_log" | "*";
type Grants = Partial<Record<Resource, readonly Action[]>>;

interface RoleDef {
  displayName: string;
  site?: Grants;
  self?: Grants;
}

export const SITE_ROLES = {
  owner: { displayName: "Owner", site: { "*": ["*"] } },
  "user-admin": {
    displayName: "User Admin",
    site: {
      user: ["create", "read", "update", "delete", "read_personal", "update_personal"],
      assign_role: ["assign", "delete", "read"],
      organization_member: ["create", "read", "update", "delete"],
    },
  },
  auditor: { displayName: "Auditor", site: { user: ["read"], organization_member: ["read"], audit_log: ["read"] } },
  "template-admin": { displayName: "Template Admin", site: { user: ["read"], organization: ["read"] } },
  // Implied for every user, never stored.
  member: {
    displayName: "Member",
    self: { user: ["read", "read_personal", "update_personal"], api_key: ["*"] },
    site: { assign_role: ["read"] },
  },
} as const satisfies Record<string, RoleDef>;

export type SiteRole = keyof typeof SITE_ROLES;

export const ORG_ROLE_DISPLAY_NAMES: Record<string, string> = {
  "organization-admin": "Organization Admin",
  "organization-user-admin": "Organization User Admin",
  "organization-auditor": "Organization Auditor",
  "organization-template-admin": "Organization Template Admin",
  "organization-member": "",
};

export function siteRoleDisplayName(name: string): string {
  return (SITE_ROLES as Record<string, RoleDef>)[name]?.displayName ?? "";
}

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
}

/** May `subject` perform `action` on `resource` owned by `ownerId` (a user id, when it has one)? */
export function can(subject: Subject, resource: Resource, action: Action, ownerId?: string): boolean {
  const scoped = subject.scopes.some((s) => allows(SCOPE_GRANTS[s], resource, action));
  if (!scoped) return false;
  const roles = ["member", ...subject.siteRoles] as string[];
  return roles.some((name) => {
    const role = (SITE_ROLES as Record<string, RoleDef>)[name];
    if (!role) return false;
    return allows(role.site, resource, action) || (ownerId === subject.userId && allows(role.self, resource, action));
  });
}
