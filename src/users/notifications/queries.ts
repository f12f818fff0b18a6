// Queries on notification_preferences (Coder's coderd/database/queries/notifications.sql
// `GetUserNotificationPreferences`, `UpdateUserNotificationPreferences`).
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/index.ts";
import { notificationPreferences as np, users } from "../../db/schema.ts";

export interface PreferenceRow {
  notificationTemplateId: string;
  disabled: boolean;
  updatedAt: Date;
}

const columns = { notificationTemplateId: np.notificationTemplateId, disabled: np.disabled, updatedAt: np.updatedAt };

/** The preferences a user has stored, in a stable order (Coder's query has none). */
export function listPreferences(db: Db | Tx, userId: string): Promise<PreferenceRow[]> {
  return db.select(columns).from(np).where(eq(np.userId, userId)).orderBy(np.notificationTemplateId);
}

/**
 * Upserts every entry in one statement, as Coder's UNNEST insert: a row already stored gets the new value and
 * a fresh updated_at. Entries with an id the map holds twice cannot occur: the keys are canonical ids.
 */
export async function upsertPreferences(tx: Tx, userId: string, entries: ReadonlyMap<string, boolean>, now: Date): Promise<void> {
  if (entries.size === 0) return;
  const rows = [...entries].map(([notificationTemplateId, disabled]) => ({
    userId,
    notificationTemplateId,
    disabled,
    createdAt: now,
    updatedAt: now,
  }));
  await tx
    .insert(np)
    .values(rows)
    .onConflictDoUpdate({
      target: [np.userId, np.notificationTemplateId],
      set: { disabled: sql`excluded.disabled`, updatedAt: sql`excluded.updated_at` },
    });
}

/** Which of `userIds` turned `templateId` off (Coder's `inhibit_enqueue_if_disabled` trigger, as a read). */
export async function usersWhoDisabled(db: Db, templateId: string, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: np.userId })
    .from(np)
    .where(and(eq(np.notificationTemplateId, templateId), eq(np.disabled, true), inArray(np.userId, [...userIds])));
  return new Set(rows.map((r) => r.userId));
}

/** Owners and user admins, the recipients of Coder's account notifications (coderd/users.go `findUserAdmins`). */
export function userAdmins(db: Db): Promise<{ id: string; email: string }[]> {
  return db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.deleted, false), sql`${users.rbacRoles} && array['owner', 'user-admin']::text[]`))
    .orderBy(users.createdAt);
}
