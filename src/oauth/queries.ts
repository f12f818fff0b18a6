// The user_links table: which external identity (a GitHub account, an OIDC subject) belongs to which user,
// with the provider's tokens and claims.
import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/index.ts";
import { userLinks, users, type LoginType, type UserRow } from "../db/schema.ts";
import { sameEmailAs } from "./email.ts";

/** The live user an identity is linked to (a deleted user's links are gone, by trigger). */
export async function userByLink(tx: Tx, loginType: LoginType, linkedId: string): Promise<UserRow | undefined> {
  const [linked] = await tx
    .select({ user: users })
    .from(userLinks)
    .innerJoin(users, eq(users.id, userLinks.userId))
    .where(and(eq(userLinks.linkedId, linkedId), eq(userLinks.loginType, loginType), eq(users.deleted, false)))
    .limit(1);
  return linked?.user;
}

/** The account with this email (see email.ts), and the id its link of `loginType` holds, if it has one. */
export async function userByEmailWithLink(
  tx: Tx,
  email: string,
  loginType: LoginType,
): Promise<{ user: UserRow; linkedId: string | null } | undefined> {
  const [byEmail] = await tx
    .select({ user: users, linkedId: userLinks.linkedId })
    .from(users)
    .leftJoin(userLinks, and(eq(userLinks.userId, users.id), eq(userLinks.loginType, loginType)))
    .where(and(sameEmailAs(email), eq(users.isSystem, false)))
    .limit(1);
  return byEmail;
}

export interface LinkRow {
  userId: string;
  loginType: LoginType;
  linkedId: string;
  oauthAccessToken: string;
  oauthRefreshToken: string;
  oauthExpiry: Date | null;
  claims: Record<string, unknown>;
}

/**
 * Writes the user's link for the provider. An existing link is only ever filled in, never replaced: false
 * when the user's link already names another identity.
 */
export async function saveLink(tx: Tx, link: LinkRow): Promise<boolean> {
  const { userId, loginType, ...fields } = link;
  const linked = await tx
    .insert(userLinks)
    .values(link)
    .onConflictDoUpdate({
      target: [userLinks.userId, userLinks.loginType],
      set: fields,
      setWhere: sql`${userLinks.linkedId} in ('', ${link.linkedId})`,
    })
    .returning({ userId: userLinks.userId });
  return linked.length > 0;
}

/** The `merged_claims` stored with the user's OIDC link, as stored (undefined without a link). */
export async function oidcMergedClaims(db: Db, userId: string): Promise<unknown> {
  const rows = await db
    .select({ merged: sql<unknown>`${userLinks.claims} -> 'merged_claims'` })
    .from(userLinks)
    .where(and(eq(userLinks.userId, userId), eq(userLinks.loginType, "oidc")))
    .limit(1);
  return rows[0]?.merged;
}
