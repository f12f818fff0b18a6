// The audit log, read: one statement for the page, each row's acting user with their memberships, and the
// total.
import { and, desc, eq, gte, lte, sql, type SQL } from "drizzle-orm";
import { membershipsOf, type Membership } from "../auth/actor.ts";
import type { Db } from "../db/index.ts";
import { auditLogs, users, type AuditLogRow, type UserRow } from "../db/schema.ts";
import type { AuditSearch } from "./search.ts";

function conditions(search: AuditSearch, callerId: string): SQL[] {
  const out: SQL[] = [];
  if (search.action) out.push(eq(auditLogs.action, search.action));
  if (search.resourceType) out.push(eq(auditLogs.resourceType, search.resourceType));
  if (search.username === "me") out.push(eq(auditLogs.userId, callerId));
  else if (search.username) out.push(sql`lower(${users.username}) = ${search.username}`);
  if (search.email) out.push(sql`lower(${users.email}) = ${search.email}`);
  if (search.status) out.push(gte(auditLogs.statusCode, search.status.min), lte(auditLogs.statusCode, search.status.max));
  return out;
}

export interface AuditPage {
  rows: { log: AuditLogRow; user: UserRow | null; memberships: Membership[] }[];
  /** Every matching entry, not only this page's. */
  count: number;
}

/** The entries matching `search`, newest first; `callerId` is who `username:me` means. */
export async function listAuditLogs(
  db: Db,
  search: AuditSearch,
  callerId: string,
  page: { limit: number; offset: number },
): Promise<AuditPage> {
  const where = and(...conditions(search, callerId));
  const rows = await db
    .select({
      log: auditLogs,
      user: users,
      memberships: membershipsOf(users.id),
      // The total before offset and limit, in the same statement; the inner names shadow the outer ones.
      count: sql<number>`(select count(*) from ${auditLogs} left join ${users} on ${users.id} = ${auditLogs.userId} ${
        where ? sql`where ${where}` : sql``
      })`.mapWith(Number),
    })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.userId))
    .where(where)
    .orderBy(desc(auditLogs.time), desc(auditLogs.id))
    .limit(page.limit)
    .offset(page.offset);
  // An empty page past the end still reports the total, as Coder's separate count does.
  const count = rows[0]?.count ?? (page.offset > 0 ? await countAll(db, where) : 0);
  return { rows, count };
}

async function countAll(db: Db, where: SQL | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.userId))
    .where(where);
  return row?.n ?? 0;
}
