// The one serializer for users: only these fields ever leave the server (no hashes, no passcodes).
import { z } from "@hono/zod-openapi";
import { siteRoleDisplayName } from "../auth/rbac.ts";
import type { UserWithoutPasscode } from "../db/schema.ts";
import { rfc3339 } from "../compat/time.ts";

export const RoleSchema = z.object({
  name: z.string(),
  display_name: z.string(),
  organization_id: z.string().optional(),
});

export const UserSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    name: z.string(),
    avatar_url: z.string(),
    email: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    last_seen_at: z.string(),
    status: z.enum(["active", "dormant", "suspended"]),
    login_type: z.enum(["password", "github", "oidc", "token", "none", "oauth2_provider_app"]),
    theme_preference: z.string(),
    is_service_account: z.boolean(),
    has_ai_seat: z.boolean(),
    organization_ids: z.array(z.uuid()),
    roles: z.array(RoleSchema),
  })
  .openapi("User");

export type UserView = z.infer<typeof UserSchema>;

/** The organization ids a user's view lists, from the memberships read with the user. */
export const organizationIdsOf = (memberships: readonly { organization_id: string }[]) => memberships.map((m) => m.organization_id);

export function userView(user: UserWithoutPasscode, organizationIds: string[]): UserView {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    avatar_url: user.avatarUrl,
    email: user.email,
    created_at: rfc3339(user.createdAt),
    updated_at: rfc3339(user.updatedAt),
    last_seen_at: rfc3339(user.lastSeenAt),
    status: user.status,
    login_type: user.loginType,
    theme_preference: "",
    is_service_account: user.isServiceAccount,
    has_ai_seat: false,
    organization_ids: organizationIds,
    roles: user.rbacRoles.map((name) => ({ name, display_name: siteRoleDisplayName(name) })),
  };
}
