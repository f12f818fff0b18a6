// A GitHub or OIDC session lives only as long as its provider link, and an expired provider access token is
// refreshed with the link's refresh token on the next request (Coder's coderd/httpmw/apikey.go, ExtractAPIKey,
// in its newest form: the link is checked only for an unexpired API key, and a refresh failure is a 401).
//
// The common case costs nothing: the link's expiry and whether it has a refresh token come with the actor
// query (src/auth/actor.ts). Only a request that finds the provider token expired does more, and only one
// request at a time per link refreshes it: the refresh is claimed by a conditional update that moves the
// link's expiry to a short lease, so every isolate and process sees the claim in the database (no in-memory
// flag), and a claim whose holder died lapses with its lease.
import { and, eq, isNotNull, lt, ne } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Config } from "../config.ts";
import { goTimeString } from "../compat/time.ts";
import type { Db } from "../db/index.ts";
import { userLinks } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { apiError } from "../http/errors.ts";
import { logLine } from "../http/logging.ts";
import { PROVIDER_TIMEOUT_MS } from "../oauth/provider-http.ts";
import { refreshProviderTokens, RefreshFailed } from "../oauth/refresh.ts";
import type { Actor } from "./actor.ts";
import { unauthorized } from "./refusals.ts";

const PROVIDER_NAMES: Partial<Record<string, string>> = { github: "GitHub", oidc: "OpenID Connect" };

const INTERNAL_ERROR = "An internal error occurred. Please try again or contact the system administrator.";

/** Outlasts a refresh (OIDC discovery and the token request, each bounded by the provider timeout). */
export const REFRESH_LEASE_MS = 3 * PROVIDER_TIMEOUT_MS;

type Provider = Parameters<typeof refreshProviderTokens>[0];

/** The configuration to refresh a `loginType` link with; Coder's 500s when the deployment has none. */
function providerFor(config: Config, loginType: "github" | "oidc"): Provider {
  const { github, oidc } = config;
  const unable = (why: string) =>
    apiError(
      500,
      INTERNAL_ERROR,
      `Unable to refresh OAuth token for login type "${loginType}". ${why} Contact an administrator to configure this login type.`,
    );
  if (!github && !oidc) throw unable("No OAuth2Configs provided.");
  if (loginType === "github" && github) return { github };
  if (loginType === "oidc" && oidc) return { oidc };
  throw unable("OAuth2Config not provided.");
}

interface Refresh {
  userId: string;
  loginType: "github" | "oidc";
  provider: Provider;
  /** The expired expiry the actor query read: put back when the refresh fails, so the next request retries. */
  readExpiry: Date;
  now: () => Date;
}

type Outcome = { kind: "refreshed" | "claimed-elsewhere" } | { kind: "failed"; detail: string };

/** Claims the link's refresh, runs it, and stores the new tokens or releases the claim. */
export async function refreshLink(db: Db, r: Refresh): Promise<Outcome> {
  const now = r.now();
  const lease = new Date(now.getTime() + REFRESH_LEASE_MS);
  const link = and(eq(userLinks.userId, r.userId), eq(userLinks.loginType, r.loginType));
  // Only a link that is still expired (no other request has claimed or refreshed it) and refreshable.
  const [claimed] = await db
    .update(userLinks)
    .set({ oauthExpiry: lease })
    .where(and(link, isNotNull(userLinks.oauthExpiry), lt(userLinks.oauthExpiry, now), ne(userLinks.oauthRefreshToken, "")))
    .returning({ refreshToken: userLinks.oauthRefreshToken });
  if (!claimed) return { kind: "claimed-elsewhere" };
  // Written only while the claim is still this request's: not after it lapsed and another took over, nor
  // over the tokens of a sign-in that replaced the link meanwhile.
  const ours = and(link, eq(userLinks.oauthExpiry, lease));
  try {
    const tokens = await refreshProviderTokens(r.provider, claimed.refreshToken, r.now());
    await db
      .update(userLinks)
      .set({ oauthAccessToken: tokens.accessToken, oauthRefreshToken: tokens.refreshToken, oauthExpiry: tokens.expiry })
      .where(ours);
    return { kind: "refreshed" };
  } catch (err) {
    if (!(err instanceof RefreshFailed)) throw err;
    await db.update(userLinks).set({ oauthExpiry: r.readExpiry }).where(ours);
    return { kind: "failed", detail: err.message };
  }
}

/**
 * Refuses a GitHub/OIDC session whose link is gone or whose expired provider token cannot be refreshed, and
 * refreshes an expired one.
 *
 * The request that finds the token expired waits for the refresh, as Coder's does: its outcome decides
 * whether the session still stands, and a failure must answer this very request with Coder's 401. It is
 * one request per link per provider-token lifetime; requests that arrive while it runs see the claim's
 * lease as the link's expiry and go on at once. An audited request runs inside its transaction
 * (src/audit/middleware.ts), where the claim would stay invisible to other requests and the new tokens
 * would be lost with a rollback (after the provider may have rotated the refresh token): such a request
 * goes on, and the refresh runs once it has committed, on the entry point's own handle (a rolled-back
 * write leaves it to the next request); a failure there releases the claim, so the next request retries
 * and is refused.
 */
export async function checkProviderLink(deps: Deps, actor: Actor): Promise<void> {
  const name = PROVIDER_NAMES[actor.key.loginType];
  if (!name) return;
  const link = actor.link;
  if (!link) throw unauthorized("You must re-authenticate with the login provider.");
  const expiry = link.oauthExpiry;
  if (!expiry || expiry.getTime() >= deps.now().getTime()) return;

  const loginType = actor.key.loginType as "github" | "oidc";
  const provider = providerFor(deps.config, loginType);
  if (!link.hasRefreshToken) throw unauthorized(`${name} session expired at "${goTimeString(expiry)}". Try signing in again.`);

  const refresh: Refresh = { userId: actor.user.id, loginType, provider, readExpiry: expiry, now: deps.now };
  if (deps.db instanceof PgTransaction) {
    deps.defer(async (db) => {
      const outcome = await refreshLink(db, refresh);
      if (outcome.kind === "failed") {
        logLine("warn", "provider token refresh failed", { user_id: refresh.userId, login_type: loginType, detail: outcome.detail });
      }
    });
    return;
  }
  const outcome = await refreshLink(deps.db, refresh);
  if (outcome.kind === "failed") {
    throw unauthorized(outcome.detail, `Could not refresh expired ${name} token. Try re-authenticating to resolve this issue.`);
  }
}
