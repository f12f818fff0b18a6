// The bench's tokens, minted by Gatehouse's own code before any server starts: a login session (an
// api_keys row and its signed JWT, exactly what POST /users/login issues), the same session's token
// re-signed with an `exp` in the past, and a forgery of it.
import { decodeJwt } from "jose";
import type { TokenService } from "../src/auth/tokens.ts";
import type { Config } from "../src/config.ts";
import type { Db } from "../src/db/index.ts";
import type { Deps } from "../src/deps.ts";
import { issueKey } from "../src/keys/issue.ts";
import type { Tokens } from "./scenarios.ts";

export async function mintTokens(db: Db, config: Config, tokens: TokenService, userId: string): Promise<Tokens> {
  // issueKey reads only these dependencies.
  const deps = { config, tokens, now: () => new Date() } as Pick<Deps, "config" | "tokens" | "now"> as Deps;
  const { token: valid } = await issueKey(deps, db, {
    userId,
    loginType: "password",
    lifetimeMs: config.sessionDurationMs,
    ip: "127.0.0.1",
  });
  const claims = decodeJwt(valid);
  const hourAgo = Date.now() - 3600_000;
  const expired = await tokens.sign({
    userId,
    keyId: claims.jti!,
    scopes: ["coder:all"],
    issuedAt: new Date(hourAgo - 3600_000),
    expiresAt: new Date(hourAgo),
  });
  return { valid, forged: forge(valid), expired };
}

/** Flips one bit in the middle of the signature: same length, same header and claims, invalid signature. */
function forge(token: string): string {
  const [header, payload, signature] = token.split(".");
  const bytes = Buffer.from(signature!, "base64url");
  const i = bytes.length >> 1;
  bytes[i] = bytes[i]! ^ 0x01;
  return `${header}.${payload}.${bytes.toString("base64url")}`;
}
