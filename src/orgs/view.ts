// The one serializer for organizations (Coder's codersdk/organizations.go `Organization`): only these fields leave the server.
import { z } from "@hono/zod-openapi";
import type { OrganizationRow } from "../db/schema.ts";
import { rfc3339 } from "../compat/time.ts";

export const OrganizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    display_name: z.string(),
    description: z.string(),
    icon: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    is_default: z.boolean(),
  })
  .openapi("Organization");

export type OrganizationView = z.infer<typeof OrganizationSchema>;

export function organizationView(org: OrganizationRow): OrganizationView {
  return {
    id: org.id,
    name: org.name,
    display_name: org.displayName,
    description: org.description,
    icon: org.icon,
    created_at: rfc3339(org.createdAt),
    updated_at: rfc3339(org.updatedAt),
    is_default: org.isDefault,
  };
}
