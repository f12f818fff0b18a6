// Signing in, however the user proved who they are (a password, GitHub, OIDC), ends the same way: one
// api_keys row with the configured session lifetime and the client's address, its signed token, and that
// token in the session cookie. The key is written inside the caller's transaction (or under its guard); the
// cookie is set only once the key is committed, so a rolled-back sign-in hands the browser nothing.
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { Db, Tx } from "../db/index.ts";
import type { LoginType } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { issueKey, issueKeyIf, type KeyGuard, type NewKey, type WrittenWithKey } from "../keys/issue.ts";
import { clientIp } from "./session.ts";
import { SESSION_COOKIE } from "./token-source.ts";

type Ctx = Context<AppEnv>;

/** Browsers keep the cookie a year; the key's own expiry is what actually ends the session. */
const COOKIE_MAX_AGE_SECONDS = 31_536_000;

function sessionKey(c: Ctx, userId: string, loginType: LoginType): NewKey {
  return { userId, loginType, lifetimeMs: c.env.deps.config.sessionDurationMs, ip: clientIp(c.env) };
}

/** A session just written: its token, and the id of its key row (what the audit log names). */
export interface IssuedSession {
  token: string;
  keyId: string;
}

/** Writes the session's key row (inside `db` when it is the caller's transaction) and signs its token. */
export async function issueSession(c: Ctx, db: Db | Tx, userId: string, loginType: LoginType): Promise<IssuedSession> {
  const { token, row } = await issueKey(c.env.deps, db, sessionKey(c, userId, loginType));
  return { token, keyId: row.id };
}

/**
 * Writes the session's key row only while the user's row still matches `guard` (its placeholders filled
 * from `guardParams`), with what `also` names (its audit record, the login counter's refund), in one
 * statement (src/keys/issue.ts, issueKeyIf); undefined when the guard no longer holds.
 */
export async function issueSessionIf(
  c: Ctx,
  userId: string,
  loginType: LoginType,
  guard: KeyGuard,
  guardParams: Record<string, unknown>,
  also?: WrittenWithKey,
): Promise<IssuedSession | undefined> {
  const deps = c.env.deps;
  const issued = await issueKeyIf(deps, deps.db, sessionKey(c, userId, loginType), guard, guardParams, also);
  return issued && { token: issued.token, keyId: issued.id };
}

/** Hands the browser a committed session's token, with the attributes Coder's session cookie has. */
export function setSessionCookie(c: Ctx, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: c.env.deps.config.secureCookies,
    maxAge: COOKIE_MAX_AGE_SECONDS,
  });
}
