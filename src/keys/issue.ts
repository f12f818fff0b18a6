// Minting a key: one api_keys row (the revocation handle) and the signed token that names it.
import type { Deps } from "../deps.ts";
import { insertSelectLists, preparedSql, type Db, type Tx } from "../db/index.ts";
import { sql, type SQL } from "drizzle-orm";
import { apiKeys, users, type ApiKeyRow, type LoginType } from "../db/schema.ts";
import { type AuditRow, auditInsertFrom, auditParams } from "../audit/record.ts";
import { type Refund, refundParams, refundWhen } from "../security/login-counters.ts";

type ApiKeyInsert = typeof apiKeys.$inferInsert;

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 10-character key id, as Coder's, drawn without modulo bias. */
export function newKeyId(): string {
  let id = "";
  while (id.length < 10) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 248 && id.length < 10) id += ALPHANUMERIC[b % 62];
    }
  }
  return id;
}

export interface NewKey {
  userId: string;
  loginType: LoginType;
  lifetimeMs: number;
  ip: string;
  scopes?: string[];
  allowList?: string[];
  tokenName?: string;
  /**
   * The token's `exp` is exactly the key's `expires_at` (API keys from POST /keys and /keys/tokens: the
   * lifetime the client asked for is the one it gets). Otherwise, for login sessions, `exp` is the horizon
   * sliding expiry may reach: the key's lifetime or TOKEN_MAX_AGE, whichever is longer (exactly the key's
   * expiry when sliding is disabled).
   */
  exactExpiry?: boolean;
}

/** The key's row and the expiry its token will carry (see NewKey.exactExpiry). */
function planKey(deps: Deps, key: NewKey) {
  const now = deps.now();
  let expiresAt = new Date(now.getTime() + key.lifetimeMs);
  let tokenExpiresAt: Date;
  if (key.exactExpiry) {
    // A JWT `exp` counts whole seconds; the row is cut to the same second so the two agree exactly.
    expiresAt = new Date(Math.floor(expiresAt.getTime() / 1000) * 1000);
    tokenExpiresAt = expiresAt;
  } else {
    const horizonMs = deps.config.disableSessionExpiryRefresh ? key.lifetimeMs : Math.max(key.lifetimeMs, deps.config.tokenMaxAgeMs);
    tokenExpiresAt = new Date(now.getTime() + horizonMs);
  }
  const row = {
    id: newKeyId(),
    userId: key.userId,
    loginType: key.loginType,
    lifetimeSeconds: Math.floor(key.lifetimeMs / 1000),
    expiresAt,
    createdAt: now,
    updatedAt: now,
    ipAddress: key.ip,
    scopes: key.scopes ?? ["coder:all"],
    allowList: key.allowList ?? ["*:*"],
    tokenName: key.tokenName ?? "",
  } satisfies ApiKeyInsert;
  const sign = () => deps.tokens.sign({ userId: key.userId, keyId: row.id, scopes: row.scopes, issuedAt: now, expiresAt: tokenExpiresAt });
  return { row, sign };
}

/** Inserts the key row (inside the caller's transaction when given one) and signs its token. */
export async function issueKey(deps: Deps, db: Db | Tx, key: NewKey): Promise<{ token: string; row: ApiKeyRow }> {
  const plan = planKey(deps, key);
  const [row] = await db.insert(apiKeys).values(plan.row).returning();
  return { token: await plan.sign(), row: row! };
}

/**
 * A condition on the user's row under which a key may be written (issueKeyIf), over the placeholders its
 * caller fills: one statement is prepared per guard, so `name` must be unique to it.
 */
export interface KeyGuard {
  name: string;
  where: SQL;
}

/** The columns a key row sets (planKey), in the order the guarded insert names them. */
const KEY_FIELDS = [
  "id",
  "userId",
  "loginType",
  "lifetimeSeconds",
  "expiresAt",
  "createdAt",
  "updatedAt",
  "ipAddress",
  "scopes",
  "allowList",
  "tokenName",
] as const satisfies readonly (keyof ReturnType<typeof planKey>["row"])[];

/** What the statement that writes a session key also writes, so that it all commits together. */
export interface WrittenWithKey {
  /** The key's audit record, given the key's id (src/audit/record.ts, auditInsertFrom). */
  record?: (keyId: string) => AuditRow;
  /** The login counter's refund, given back with the key (src/security/login-counters.ts, refundWhen). */
  refund?: Refund | undefined;
}

/**
 * The guarded insert for `guard`, prepared (src/db/index.ts): every sign-in runs it, and building it cost
 * about as much event-loop time as sending it (npm run bench, docs/performance.md). With `recorded` and
 * `refunded`, the same statement writes the key's audit record and gives back the login counter's count,
 * each only if the key was written.
 */
function guardedInsert(guard: KeyGuard, recorded: boolean, refunded: boolean) {
  const name = `gatehouse_key_if_${guard.name}${recorded ? "_recorded" : ""}${refunded ? "_refunded" : ""}`;
  return preparedSql(name, () => {
    const { columns: names, values } = insertSelectLists(apiKeys, KEY_FIELDS);
    const insert = sql`insert into ${apiKeys} (${names}) select ${values} from ${users} where ${users.id} = ${sql.placeholder("userId")} and (${guard.where}) for share of ${users} returning ${apiKeys.id}`;
    const inserted = sql.raw("inserted_key");
    const parts = [sql`inserted_key as (${insert})`];
    if (recorded) parts.push(sql`record as (${auditInsertFrom(inserted)})`);
    if (refunded) parts.push(sql`refund as (${refundWhen(inserted)})`);
    return parts.length === 1 ? insert : sql`with ${sql.join(parts, sql`, `)} select id from inserted_key`;
  });
}
const guardedInserts = new Map<string, ReturnType<typeof guardedInsert>>();

/**
 * Inserts the key row only if the user's row still matches `guard` (its placeholders filled from
 * `guardParams`), in one statement that holds a shared lock on the user's row while it runs, and signs its
 * token; undefined when the guard no longer holds. The shared lock lets keys for one user be issued side by
 * side, while an UPDATE of the user's row (a password change, suspension) waits for it or, having committed
 * first, makes the guard fail: such a change and the key it must revoke cannot cross. One round trip where
 * a transaction takes four. What `also` names is written by the same statement, so it commits with the key
 * without a transaction. The token is signed first: once the statement has committed, nothing is left that
 * could fail the request.
 */
export async function issueKeyIf(
  deps: Deps,
  db: Db,
  key: NewKey,
  guard: KeyGuard,
  guardParams: Record<string, unknown>,
  also: WrittenWithKey = {},
): Promise<{ token: string; id: string } | undefined> {
  const plan = planKey(deps, key);
  const token = await plan.sign();
  const { record, refund } = also;
  const variant = `${guard.name}|${record ? "recorded" : ""}|${refund ? "refunded" : ""}`;
  let statement = guardedInserts.get(variant);
  if (!statement) guardedInserts.set(variant, (statement = guardedInsert(guard, record !== undefined, refund !== undefined)));
  const params = {
    ...guardParams,
    ...plan.row,
    ...(record ? auditParams(record(plan.row.id)) : {}),
    ...(refund ? refundParams(refund) : {}),
  };
  const inserted = await statement(db).execute(params);
  if ((inserted as { rows: unknown[] }).rows.length === 0) return undefined;
  return { token, id: plan.row.id };
}
