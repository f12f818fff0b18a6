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
  /**
   * The token's `exp` is exactly the key's `expires_at` (API keys from POST /keys and /keys/tokens: the
   * lifetime the client asked for is the one it gets). Otherwise, for login sessions, `exp` is the horizon
   * sliding expiry may reach: the key's lifetime or TOKEN_MAX_AGE, whichever is longer (exactly the key's
   * expiry when sliding is disabled).
   */
  exactExpiry?: boolean;
}

/** Inserts the key row (inside the caller's transaction when given one) and signs its token. */
export async function issueKey(deps: Deps, db: Db | Tx, key: NewKey): Promise<{ token: string; row: ApiKeyRow }> {
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
  const token = await deps.tokens.sign({ userId: key.userId, keyId: row!.id, scopes, issuedAt: now, expiresAt: tokenExpiresAt });
  return { token, row: row! };
}
