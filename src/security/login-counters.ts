// The login limits' fixed-window counters in Postgres (the rate_limits table), shared by every Node instance
// and Worker isolate: one statement counts every key of a request at once.
import { sha256 } from "#crypto";
import { and, eq, gt, lt, type SQL, sql } from "drizzle-orm";
import { preparedPerHandle, statementName, type Db } from "../db/index.ts";
import { rateLimits } from "../db/schema.ts";
import type { Deps } from "../deps.ts";

export interface Counter {
  key: string;
  limit: number;
}

export type Counts = Map<string, { count: number; windowStart: Date }>;

/** Hex SHA-256: the table never holds the emails people type (sometimes a password, by mistake). */
export async function digest(text: string): Promise<string> {
  const bytes = await sha256(new TextEncoder().encode(text));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The placeholder of the i-th counter's key. */
const keyParam = (i: number) => `key${i}`;

/**
 * The counting statement for `n` keys, prepared (src/db/index.ts): every login-group request runs it, and
 * building it cost about as much event-loop time as sending it (npm run bench, docs/performance.md).
 */
const hitStatement = (n: number) =>
  preparedPerHandle((db: Db) =>
    db
      .insert(rateLimits)
      .values(
        Array.from({ length: n }, (_, i) => ({ key: sql.placeholder(keyParam(i)), windowStart: sql.placeholder("windowStart"), count: 1 })),
      )
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`case when excluded.window_start > ${rateLimits.windowStart} then 1 else ${rateLimits.count} + 1 end`,
          windowStart: sql`greatest(${rateLimits.windowStart}, excluded.window_start)`,
        },
      })
      .returning({ key: rateLimits.key, count: rateLimits.count, windowStart: rateLimits.windowStart })
      .prepare(statementName(db, `gatehouse_rate_limit_hit_${n}`)),
  );
/** A request counts its address and at most one account or device key. */
const hitStatements = [hitStatement(1), hitStatement(2)];

/**
 * Adds one to every key's counter in the current window, in one statement, and answers the counts. A row
 * left from an older window starts over at 1. A row from a newer window (another instance whose clock runs
 * ahead) keeps counting, so clock skew never resets a count early.
 */
export async function hit(db: Db, counters: Counter[], windowStart: Date): Promise<Counts> {
  const statement = hitStatements[counters.length - 1];
  if (!statement) throw new Error(`rate limit: ${counters.length} keys in one request`);
  const params: Record<string, unknown> = { windowStart };
  for (const [i, counter] of counters.entries()) params[keyParam(i)] = counter.key;
  const rows = await statement(db).execute(params);
  return new Map(rows.map((r) => [r.key, { count: r.count, windowStart: r.windowStart }]));
}

/**
 * The counter a refund gives back to: its key, in the window it was counted in (a window that has since
 * rolled over is left alone), never below zero. The window is encoded as the column encodes a Date; a bare
 * placeholder would go to the driver unencoded.
 */
const refundable = (key: string, windowStart: string): SQL =>
  and(
    eq(rateLimits.key, sql.placeholder(key)),
    eq(rateLimits.windowStart, sql.param(sql.placeholder(windowStart), rateLimits.windowStart)),
    gt(rateLimits.count, 0),
  )!;

const refundStatement = preparedPerHandle((db: Db) =>
  db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(refundable("key", "windowStart"))
    .prepare(statementName(db, "gatehouse_rate_limit_refund")),
);

/**
 * Gives back one count taken in `windowStart`, once the request turned out not to be a failure. Counting
 * first and refunding after keeps the limit atomic: concurrent attempts can never all pass a check that
 * none of them has counted yet. A window that has since rolled over is left alone.
 */
export function refund(db: Db, { key, windowStart }: Refund) {
  return refundStatement(db).execute({ key, windowStart });
}

/** A count a sign-in took and gives back once it did not fail (src/security/rate-limit.ts). */
export interface Refund {
  key: string;
  windowStart: Date;
}

/**
 * The refund as a part of the statement that makes a sign-in's change: `update ... where exists (select 1
 * from <source>)`, `source` being a WITH query over that change's RETURNING. So the count is given back
 * exactly when the change is made, in the same round trip and the same commit. Filled by refundParams.
 */
export const refundWhen = (source: SQL): SQL =>
  sql`update ${rateLimits} set ${sql.identifier(rateLimits.count.name)} = ${rateLimits.count} - 1 where ${refundable("refund_key", "refund_window")} and exists (select 1 from ${source})`;

export const refundParams = (refund: Refund): Record<string, unknown> => ({ refund_key: refund.key, refund_window: refund.windowStart });

/**
 * When this process (or Worker isolate) next deletes the counters of past windows: once a window is plenty,
 * and the delete runs after the response, so no request waits for it.
 */
let nextPruneAt = 0;

export function prunePastWindows(deps: Deps, now: number, windowMs: number, windowStart: Date): void {
  if (now < nextPruneAt) return;
  nextPruneAt = now + windowMs;
  deps.defer((db) => db.delete(rateLimits).where(lt(rateLimits.windowStart, windowStart)));
}
