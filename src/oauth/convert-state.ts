// The signed permission to convert a password account to GitHub or OIDC sign-in (Coder's coderd/userauth.go:
// OAuthConvertStateClaims, postConvertLoginType, convertUserToOauth). POST /users/{user}/convert-login,
// which checked the password, hands the browser a short-lived JWT in the `coder_oauth_convert_jwt` cookie and
// a state string starting with `convert-`; the dashboard then starts the provider's flow with that state
// (`?oidc_merge_state=`), and the callback converts the account only with a valid cookie for that state.
//
// Nothing is stored: the JWT is HS256 under a key derived from the signing key (TokenService.macKey), so it
// holds no secret and only this deployment can mint it. It names the user, the state, both login types and
// a digest of the password hash it was issued under: once the password is gone (the conversion) or changed,
// the JWT no longer matches, so it cannot be replayed.
import { encodeBase64url, sha256 } from "#crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { errors, jwtVerify, SignJWT } from "jose";
import type { LoginType } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";
import { type Ctx, flowCookie } from "./flow.ts";

/** Coder's cookie name (OAuthConvertCookieValue). */
export const CONVERT_COOKIE = "coder_oauth_convert_jwt";
/** Coder's prefix: tells a conversion's state from a sign-in's without a lookup. */
const STATE_PREFIX = "convert-";
/** Coder's five minutes. */
const CONVERT_LIFETIME_MS = 5 * 60_000;
const PURPOSE = "oauth convert state";
const ALG = "HS256";

export type ConvertTarget = Extract<LoginType, "github" | "oidc">;

export interface ConvertClaims {
  userId: string;
  state: string;
  from: LoginType;
  to: ConvertTarget;
  /** Digest of the password hash the conversion was granted under. */
  passwordDigest: string;
}

export const isConvertState = (state: string | undefined): state is string => state?.startsWith(STATE_PREFIX) ?? false;

/** A digest, not the hash: the cookie is readable by whoever holds it, the hash must never leave the server. */
export async function passwordDigest(hashedPassword: string): Promise<string> {
  return encodeBase64url(await sha256(new TextEncoder().encode(`convert\0${hashedPassword}`))).slice(0, 22);
}

/** Mints the state and its cookie; answers the state and when both expire. */
export async function issueConvertState<E extends AppEnv>(
  c: Context<E>,
  user: { id: string; loginType: LoginType; hashedPassword: string },
  to: ConvertTarget,
): Promise<{ state: string; expiresAt: Date }> {
  const { deps } = c.env;
  const state = `${STATE_PREFIX}${encodeBase64url(crypto.getRandomValues(new Uint8Array(24)))}`;
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + CONVERT_LIFETIME_MS);
  const jwt = await new SignJWT({
    user_id: user.id,
    state,
    from_login_type: user.loginType,
    to_login_type: to,
    pwd: await passwordDigest(user.hashedPassword),
  })
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setIssuer(deps.tokens.issuer)
    .setAudience(user.id)
    .setSubject(state)
    .setJti(crypto.randomUUID())
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setNotBefore(Math.floor(now.getTime() / 1000) - 1)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(await deps.tokens.macKey(PURPOSE));
  flowCookie(c, CONVERT_COOKIE, jwt, expiresAt);
  return { state, expiresAt };
}

const cookieMissing = () =>
  apiError(400, "Convert to oauth cookie not found. Missing signed jwt to authorize this action. Please try again.");

/**
 * The convert cookie's verified claims, with Coder's answers: no cookie 400, not signed by this deployment
 * 400, another issuer 403, another flow's state 403. An expired cookie is one the browser already dropped:
 * answered as missing (Coder answers a 500 "Error parsing jwt" for it).
 */
export async function readConvertState(c: Ctx, state: string): Promise<ConvertClaims> {
  const { deps } = c.env;
  const jwt = getCookie(c, CONVERT_COOKIE);
  if (!jwt) throw cookieMissing();
  let payload;
  try {
    ({ payload } = await jwtVerify(jwt, await deps.tokens.macKey(PURPOSE), {
      algorithms: [ALG],
      currentDate: deps.now(),
      requiredClaims: ["iss", "sub", "exp", "nbf"],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw cookieMissing();
    throw apiError(400, "Using an invalid jwt to authorize this action. Ensure there is only 1 coder deployment and try again.");
  }
  if (payload.iss !== deps.tokens.issuer) {
    throw apiError(
      403,
      "Request to convert login type failed. Issuer mismatch. Found a cookie from another coder deployment, please try again.",
    );
  }
  if (payload.state !== state) throw apiError(403, "Request to convert login type failed. State mismatch.");
  return {
    userId: String(payload.user_id),
    state,
    from: payload.from_login_type as LoginType,
    to: payload.to_login_type as ConvertTarget,
    passwordDigest: String(payload.pwd),
  };
}

/**
 * The state for a flow the dashboard starts with `?oidc_merge_state=` (undefined without it). Coder takes
 * any value there as the flow's state; Gatehouse first checks the convert cookie vouches for it and this
 * provider, so nobody can make another browser run a flow whose state they chose (a login-CSRF opening).
 */
export async function convertFlowState(c: Ctx, provider: ConvertTarget): Promise<string | undefined> {
  const state = c.req.query("oidc_merge_state");
  if (!state) return undefined;
  if (!isConvertState(state)) throw apiError(403, "Request to convert login type failed. State mismatch.");
  const claims = await readConvertState(c, state);
  if (claims.to !== provider) throw apiError(403, `Request to convert login type from ${claims.from} to ${provider} failed`);
  return state;
}

/** Coder always clears the cookie once a callback used it: it has served, or failed, its one purpose. */
export function clearConvertCookie(c: Ctx): void {
  deleteCookie(c, CONVERT_COOKIE, { path: "/", secure: c.env.deps.config.secureCookies });
}
