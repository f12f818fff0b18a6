// Minting a key: one api_keys row (the revocation handle) and the signed token that names it.
import type { Deps } from "../deps.ts";
import type { Db, Tx } from "../db/index.ts";
import { apiKeys, type ApiKeyRow, type LoginType } from "../db/schema.ts";

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
}

/**
 * Inserts the key row (inside the caller's transaction when given one) and signs its token. The token's
 * `exp` is the horizon sliding expiry may reach: the key's lifetime or TOKEN_MAX_AGE, whichever is longer,
 * or exactly the key's expiry when sliding is disabled.
 */
export async function issueKey(deps: Deps, db: Db | Tx, key: NewKey): Promise<{ token: string; row: ApiKeyRow }> {
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + key.lifetimeMs);
  const horizonMs = deps.config.disableSessionExpiryRefresh ? key.lifetimeMs : Math.max(key.lifetimeMs, deps.config.tokenMaxAgeMs);
  const scopes = key.scopes ?? ["coder:all"];
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: newKeyId(),
      userId: key.userId,
      loginType: key.loginType,
      lifetimeSeconds: Math.floor(key.lifetimeMs / 1000),
      expiresAt,
      createdAt: now,
      updatedAt: now,
      ipAddress: key.ip,
      scopes,
      allowList: key.allowList ?? ["*:*"],
      tokenName: key.tokenName ?? "",
    })
    .returning();
  const token = await deps.tokens.sign({
    userId: key.userId,
    keyId: row!.id,
    scopes,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + horizonMs),
  });
  return { token, row: row! };
}
