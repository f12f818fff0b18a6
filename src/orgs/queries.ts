// Organization lookups. Deleted organizations are never returned: to every caller they do not exist.
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/index.ts";
import { organizationMembers, organizations, type OrganizationRow } from "../db/schema.ts";

/** The live organizations `userId` is a member of, oldest first (the default organization leads). */
export async function organizationsOfUser(db: Db, userId: string): Promise<OrganizationRow[]> {
  const rows = await db
    .select({ org: organizations })
    .from(organizations)
    .innerJoin(organizationMembers, eq(organizationMembers.organizationId, organizations.id))
    .where(and(eq(organizationMembers.userId, userId), eq(organizations.deleted, false)))
    .orderBy(asc(organizations.createdAt), asc(organizations.id));
  return rows.map((r) => r.org);
}

/** A live organization by name, case-insensitively (served by organizations_name_lower_idx). */
export async function organizationByName(db: Db, name: string): Promise<OrganizationRow | undefined> {
  const rows = await db
    .select()
    .from(organizations)
    .where(and(sql`lower(${organizations.name}) = lower(${name})`, eq(organizations.deleted, false)))
    .limit(1);
  return rows[0];
}

/** The id of the default organization, where every new user becomes a member. */
export async function defaultOrganizationId(db: Db | Tx): Promise<string | undefined> {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true)).limit(1);
  return org?.id;
}

/** The live organizations among `ids`, and the default one when `withDefault`; in no particular order. */
export async function liveOrganizations(db: Db, ids: string[], withDefault: boolean): Promise<{ id: string; isDefault: boolean }[]> {
  return db
    .select({ id: organizations.id, isDefault: organizations.isDefault })
    .from(organizations)
    .where(
      and(
        eq(organizations.deleted, false),
        or(ids.length > 0 ? inArray(organizations.id, ids) : undefined, withDefault ? eq(organizations.isDefault, true) : undefined),
      ),
    );
}
