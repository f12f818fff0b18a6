// Login-group rate limits (Coder's coderd/httpmw/ratelimit.go): the routes that check a password or a passcode, or that
// start a sign-in, are limited per client IP and per account with fixed-window counters in Postgres, so the
// limit holds across Node instances and Worker isolates. One statement per request counts every key at once.
// Over the limit is 429 in Coder's shape with Retry-After. An account key is a hash of whatever the request
// names (an email, a session's user), counted whether or not such an account exists, so a 429 says nothing
// about which accounts exist. On Workers, a Workers Rate Limiting binding (LOGIN_RATE_LIMITER), where
// configured, refuses per-IP floods before the Postgres counter is reached.
//
// Sign-in (POST /users/login) counts only failures against the account: every attempt is counted before
// the password is checked (so concurrent guesses cannot all slip past the check) and given back when it did
// not fail. And a device that signed in to the account before counts against a budget of its own, not the
// account's: a distributed guessing attack locks the account for unknown devices only, and its owner still
// signs in (OWASP device cookies, src/security/device-cookie.ts).
import type { Context, MiddlewareHandler } from "hono";
import { rateLimitIp, sessionClaims } from "../auth/session.ts";
import { formatGoDuration, msToNs } from "../compat/duration.ts";
import type { RateLimitConfig } from "../config.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError, errorBody } from "../http/errors.ts";
import { describeError, logLine } from "../http/logging.ts";
import type { Router } from "../http/router.ts";
import { startSignInLookup } from "../users/sign-in-lookup.ts";
import { issueDevice, knownDevice } from "./device-cookie.ts";
import { bodyText } from "./input.ts";
import { digest, hit, prunePastWindows, refund, type Counter, type Refund } from "./login-counters.ts";

type Ctx = Context<AppEnv>;

interface Rule {
  method: "GET" | "POST" | "PUT";
  /** The route's pattern under /api/v2, as Hono writes it. */
  path: string;
  /**
   * The account the request is about: undefined counts the IP only, null skips counting (the route refuses
   * the request without a query anyway).
   */
  account?: (c: Ctx) => string | undefined | null | Promise<string | undefined | null>;
  /**
   * Sign-in: only failures count against the account, and devices that signed in to it before
   * (src/security/device-cookie.ts) are counted apart from it.
   */
  knownDevices?: true;
  /**
   * A read the route makes first in any case, started beside the count (never before the edge's refusal):
   * on Workers the two then take one database round trip instead of two in a row. The route awaits it only
   * after the count let the request through; a refused request leaves it unread.
   */
  alongside?: (c: Ctx) => void;
}

/**
 * The `email` of a JSON body, as src/security/input.ts parsed it (it runs first, src/app.ts). A body that is
 * not JSON has none: the route answers 400 itself, and the IP counter still counts the attempt.
 */
function emailOfBody(c: Ctx): string | undefined {
  const email = bodyText(c, "email")?.trim();
  return email ? email.toLowerCase() : undefined;
}

/** The session's user: whose old password a stolen session would try to guess. */
async function sessionUser(c: Ctx): Promise<string | null> {
  // A token that fails cryptography is refused by requireActor without a query; counting it would add one.
  const claims = await sessionClaims(c);
  return claims ? `user:${claims.sub}` : null;
}

/**
 * Each sign-in in flight: the count it gives back if it does not fail (none when it was not counted against
 * an account) and the device cookie it earns if it succeeds, and whether its handler took each.
 */
interface SignIn {
  account: string;
  device: string | undefined;
  refund: Refund | undefined;
  refundTaken: boolean;
  cookieSet: boolean;
}
const signIns = new WeakMap<Ctx, SignIn>();

/**
 * For a sign-in's handler that is about to answer 201: marks the client as a known device of the account
 * (src/security/device-cookie.ts). Set before the response is built, as every header is (src/http/headers.ts):
 * on a finished response, @hono/node-server first turns its lightweight response into a full Fetch Response
 * and streams the body out of it (11.5% of a sign-in's event loop in a CPU profile). A 201 whose handler did not call
 * this gets its cookie from the limiter after the handler, as before.
 */
export async function markKnownDevice(c: Ctx): Promise<void> {
  const signIn = signIns.get(c);
  if (!signIn || signIn.cookieSet) return;
  signIn.cookieSet = true;
  await issueDevice(c, signIn.account, signIn.device);
}

/**
 * The count this sign-in took, for its handler to give back in the statement that signs it in (the refund
 * is then applied exactly when that statement writes the session: see refundWhen). Once taken, a 201 means
 * it was given back; any other answer is refunded after the handler as before.
 */
export function takeRefund(c: Ctx): Refund | undefined {
  const signIn = signIns.get(c);
  if (!signIn?.refund) return undefined;
  signIn.refundTaken = true;
  return signIn.refund;
}

/** Coder's login group, plus password changes: what an attacker would hammer to guess a secret. */
const RULES: readonly Rule[] = [
  { method: "POST", path: "/users/login", account: emailOfBody, knownDevices: true, alongside: startSignInLookup },
  { method: "POST", path: "/users/otp/request", account: emailOfBody },
  { method: "POST", path: "/users/otp/change-password", account: emailOfBody },
  { method: "POST", path: "/users/validate-password" },
  { method: "GET", path: "/users/oauth2/github/device" },
  { method: "GET", path: "/users/oauth2/github/callback" },
  { method: "GET", path: "/users/oidc/callback" },
  { method: "PUT", path: "/users/:user/password", account: sessionUser },
  // Not in Coder's group either, but it checks the password just as a sign-in does.
  { method: "POST", path: "/users/:user/convert-login", account: sessionUser },
  // Not in Coder's group: legitimately called once, and every call is written to the audit log, so without a
  // limit anyone could fill the log with 409s.
  { method: "POST", path: "/users/first" },
];

export const rateLimitedMessage = (limit: number, windowMs: number) =>
  `You've been rate limited for sending more than ${limit} requests in ${formatGoDuration(msToNs(windowMs))}.`;

/** Coder's 429: its message, `Retry-After` (whole seconds, at least 1) until `resetMs`, and any rate headers. */
export function rateLimited(limit: number, windowMs: number, now: number, resetMs: number, headers: Record<string, string> = {}): ApiError {
  const retryAfter = String(Math.max(1, Math.ceil((resetMs - now) / 1000)));
  return new ApiError(429, errorBody(rateLimitedMessage(limit, windowMs)), { ...headers, "Retry-After": retryAfter });
}

function limiter(rule: Rule): MiddlewareHandler<AppEnv> {
  const route = `${rule.method} ${rule.path}`;
  return async function rateLimit(c, next) {
    const deps = c.env.deps;
    const limits: RateLimitConfig = deps.config.rateLimits;
    if (limits.disabled || c.req.method !== rule.method) return next();

    const account = rule.account ? await rule.account(c) : undefined;
    if (account === null) return next();

    const now = deps.now().getTime();
    const windowStart = new Date(Math.floor(now / limits.windowMs) * limits.windowMs);
    const ipKey = `${route}|ip|${rateLimitIp(c.env)}`;
    // Where the worker has a Workers Rate Limiting binding for the login group, it is the first line: a
    // flood from one address is turned away at the edge, without a database round trip.
    const edge = deps.rateLimiters?.login;
    if (edge && !(await edge.limit({ key: ipKey })).success) {
      // The binding does not say when its window ends: a whole window is the honest upper bound.
      throw rateLimited(limits.perIp, limits.windowMs, now, now + limits.windowMs);
    }
    rule.alongside?.(c);
    const accountKey = account === undefined ? undefined : `${route}|account|${await digest(account)}`;
    // On sign-in, a device that signed in to this account before spends its own budget instead of the
    // account's, so guesses from elsewhere cannot lock its owner out (src/security/device-cookie.ts).
    let device = rule.knownDevices && account !== undefined ? await knownDevice(c, account) : undefined;
    const deviceKey = device && `${route}|device|${device}`;
    const counters: Counter[] = [{ key: ipKey, limit: limits.perIp }];
    const accountCounter = (key: string) => counters.push({ key, limit: limits.perAccount });
    if (deviceKey) accountCounter(deviceKey);
    else if (accountKey) accountCounter(accountKey);
    const counts = await hit(deps.db, counters, windowStart);
    if (deviceKey && accountKey && counts.get(deviceKey)!.count > limits.perAccount) {
      // A known device that keeps failing is locked out itself (OWASP): for the rest of the window it is an
      // unknown device, and the account's lock applies to it.
      device = undefined;
      counters[1] = { key: accountKey, limit: limits.perAccount };
      for (const [key, seen] of await hit(deps.db, [counters[1]], windowStart)) counts.set(key, seen);
    }
    prunePastWindows(deps, now, limits.windowMs, windowStart);

    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const counter of counters) {
      const seen = counts.get(counter.key);
      if (!seen) continue;
      const remaining = counter.limit - seen.count;
      const resetMs = seen.windowStart.getTime() + limits.windowMs;
      if (!tightest || remaining < tightest.remaining) tightest = { limit: counter.limit, remaining, resetMs };
    }
    if (!tightest) return next();
    const headers = {
      "X-Ratelimit-Limit": String(tightest.limit),
      "X-Ratelimit-Remaining": String(Math.max(0, tightest.remaining)),
      "X-Ratelimit-Reset": String(Math.ceil(tightest.resetMs / 1000)),
    };
    if (tightest.remaining < 0) {
      throw rateLimited(tightest.limit, limits.windowMs, now, tightest.resetMs, headers);
    }
    // Set before the handler, as src/http/headers.ts does: the response (the error handler's too) is built
    // with them, and they replace the general API limit's, which counts a looser limit.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (!rule.knownDevices || account === undefined) return next();

    // Only failed sign-ins count against an account (or a device): anything but a 401 gives its count back.
    const spent = counters[1];
    const seen = spent && counts.get(spent.key);
    const signIn: SignIn = {
      account,
      device,
      refund: spent && seen ? { key: spent.key, windowStart: seen.windowStart } : undefined,
      refundTaken: false,
      cookieSet: false,
    };
    signIns.set(c, signIn);
    await next();

    // A 201 whose handler took the refund gave it back with the session it wrote (takeRefund).
    if (signIn.refund && c.res.status !== 401 && !(signIn.refundTaken && c.res.status === 201)) {
      // Before the response, so the next attempt already sees it; a failure here must not fail a sign-in.
      await refund(deps.db, signIn.refund).catch((err: unknown) =>
        logLine("error", "rate-limit refund failed", { request_id: c.get("requestId"), error: describeError(err) }),
      );
    }
    if (c.res.status === 201) await markKnownDevice(c);
  };
}

/** Mounts the limits in front of their routes; call before the routes themselves are registered. */
export function mountRateLimits(api: Router): void {
  for (const rule of RULES) api.use(rule.path, limiter(rule));
}
