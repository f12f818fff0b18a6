// Queries of the settings routes that have no module of their own (configs.ts and gitsshkey.ts have theirs).
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/index.ts";
import { templateParameterValues as tpv } from "../../db/schema.ts";

/** As Coder: at most this many names, the most recently used first. */
const MAX_PARAMETERS = 100;

/** Latest non-ephemeral value per name: DISTINCT ON walks the (user, template, name, created_at desc) index. */
export async function autofillParameters(db: Db, userId: string, templateId: string): Promise<{ name: string; value: string }[]> {
  const latest = db
    .selectDistinctOn([tpv.name], { name: tpv.name, value: tpv.value, createdAt: tpv.createdAt })
    .from(tpv)
    .where(and(eq(tpv.userId, userId), eq(tpv.templateId, templateId), eq(tpv.ephemeral, false)))
    .orderBy(tpv.name, desc(tpv.createdAt))
    .as("latest");
  return db
    .select({ name: latest.name, value: latest.value })
    .from(latest)
    .orderBy(desc(latest.createdAt), latest.name)
    .limit(MAX_PARAMETERS);
}
