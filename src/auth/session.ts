// The session middleware: token → cryptographic check (no database) → one query for the actor →
// provider link (an expired provider token refreshed, src/auth/provider-link.ts) → status gate →
// bookkeeping deferred past the response (Coder's coderd/httpmw/apikey.go).
import type { Context, MiddlewareHandler } from "hono";
import type { ActorEnv, AppEnv, Deps } from "../deps.ts";
import { goTimeString } from "../compat/time.ts";
import { recordKeyUse } from "../keys/queries.ts";
import { rateLimitSubject } from "../security/client-ip.ts";
import { normalizeIp } from "../security/ip.ts";
import { updateUser } from "../users/queries.ts";
import { startTargetReads, type TargetRead } from "../users/target-reads.ts";
import { loadActor, type Actor } from "./actor.ts";
import { checkProviderLink } from "./provider-link.ts";
import { unauthorized } from "./refusals.ts";
import { readToken, SESSION_COOKIE } from "./token-source.ts";
import type { TokenClaims, VerifyResult } from "./tokens.ts";

const HOUR_MS = 3600_000;
/** Coder's key-id-and-secret token shape; such a token can only be a key this server never issued. */
const CODER_TOKEN_RE = /^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/;

type TokenCheck = AppEnv["Variables"]["tokenCheck"];

/**
 * The request's token and the outcome of its cryptographic check (no database), computed once per request
 * however many middlewares ask (the API rate limit, the login-group limit, the session); undefined when the
 * request carries no token.
 */
export function verifyRequestToken(c: Context): TokenCheck {
  // Any route's context (Hono's contexts are invariant in their env, and requireActor's adds `actor`), so
  // the two values it touches are typed here.
  const deps: Deps = c.env.deps;
  let verified: TokenCheck | undefined = c.get("tokenCheck");
  if (!verified) {
    const token = readToken(c);
    verified = token ? deps.tokens.verify(token).then((result) => ({ token, result })) : Promise.resolve(undefined);
    c.set("tokenCheck", verified);
  }
  return verified;
}

/** The claims of the request's token when it passes the cryptographic check; the key may still be revoked. */
export async function sessionClaims(c: Context<AppEnv>): Promise<TokenClaims | undefined> {
  const verified = await verifyRequestToken(c);
  return verified?.result.ok ? verified.result.claims : undefined;
}

function claimsOrRefuse(token: string, result: VerifyResult): TokenClaims {
  if (result.ok) return result.claims;
  switch (result.reason) {
    case "expired":
      throw unauthorized(`API key expired at "${goTimeString(result.expiredAt)}".`);
    case "forged":
      throw unauthorized("API key secret is invalid.");
    case "invalid":
      throw unauthorized("API key is invalid.");
    case "malformed":
      throw unauthorized(
        CODER_TOKEN_RE.test(token) ? "API key is invalid." : "Invalid API key format: the token is not a Gatehouse session token.",
      );
  }
}

/** Sliding expiry and last-used stamps, at most hourly, written after the response in one statement. */
function scheduleTouch(deps: Deps, actor: Actor, claims: TokenClaims, ip: string) {
  const now = deps.now();
  const { key } = actor;
  const lifetimeMs = key.lifetimeSeconds * 1000;
  const stale = now.getTime() - key.lastUsed.getTime() > HOUR_MS;
  let expiresAt = key.expiresAt;
  if (!deps.config.disableSessionExpiryRefresh && key.expiresAt.getTime() - now.getTime() <= lifetimeMs - HOUR_MS) {
    // Never past the token's own `exp`: beyond it the signature check refuses the token anyway.
    expiresAt = new Date(Math.min(now.getTime() + lifetimeMs, claims.exp * 1000));
  }
  if (!stale && expiresAt.getTime() <= key.expiresAt.getTime()) return;
  if (expiresAt < key.expiresAt) expiresAt = key.expiresAt;
  const readExpiry = key.expiresAt;
  // This request already sees the values the deferred write will store.
  Object.assign(key, { lastUsed: now, expiresAt });
  actor.user.lastSeenAt = now;
  // The expiry slides only from the value this request read: an expiry changed since (PUT .../expire, a
  // password change) committed between the actor query and this write, and must not be undone.
  deps.defer((db) => recordKeyUse(db, { keyId: key.id, at: now, ip, readExpiry, expiresAt }));
}

/**
 * The client's address as recorded (api_keys.ip_address, the audit log): the `clientIp` binding the entry
 * point resolved (src/security/client-ip.ts), canonical, or 0.0.0.0 when there is none.
 */
export function clientIp(env: AppEnv["Bindings"]): string {
  const known = canonicalIps.get(env);
  if (known && known.raw === env.clientIp) return known.ip;
  const ip = normalizeIp(env.clientIp) ?? "0.0.0.0";
  canonicalIps.set(env, { raw: env.clientIp, ip });
  return ip;
}

/**
 * Each request's canonical address, worked out once: the session, the rate limits and the audit trail all
 * ask. Keyed by the bindings object every entry point passes per request, and by the text it carries.
 */
const canonicalIps = new WeakMap<AppEnv["Bindings"], { raw: string | undefined; ip: string }>();

/** The client as the rate limits count it: the IPv4 address, or the IPv6 address's /64. */
export function rateLimitIp(env: AppEnv["Bindings"]): string {
  return rateLimitSubject(clientIp(env));
}

/**
 * Requires a valid session; sets `actor`. `alongside`: the route's reads of its target user, started beside
 * the actor query when the target is the caller (src/users/target-reads.ts).
 */
export const requireActor = (alongside: readonly TargetRead<unknown>[] = []): MiddlewareHandler<ActorEnv> =>
  async function requireActor(c, next) {
    const deps = c.env.deps;
    const verified = await verifyRequestToken(c);
    if (!verified) throw unauthorized(`Cookie "${SESSION_COOKIE}" or query parameter must be provided.`);
    const claims = claimsOrRefuse(verified.token, verified.result);

    startTargetReads(c, alongside, claims.sub);
    const actor = await loadActor(deps.db, claims.jti);
    if (!actor || actor.user.id !== claims.sub) throw unauthorized("API key is invalid.");
    if (actor.key.expiresAt.getTime() <= deps.now().getTime()) {
      throw unauthorized(`API key expired at "${goTimeString(actor.key.expiresAt)}".`);
    }
    await checkProviderLink(deps, actor);
    if (actor.user.status === "dormant") {
      // Using the account is what makes a dormant user active again.
      await updateUser(deps.db, actor.user.id, { status: "active", updatedAt: deps.now() });
      actor.user.status = "active";
    }
    if (actor.user.status !== "active") {
      throw unauthorized("", `User is not active (status = "${actor.user.status}"). Contact an admin to reactivate your account.`);
    }
    scheduleTouch(deps, actor, claims, clientIp(c.env));
    c.set("actor", actor);
    await next();
  };
