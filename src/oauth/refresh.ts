// The refresh-token grant (RFC 6749 §6) against the provider a session signed in with, through oauth4webapi:
// what Coder's coderd/httpmw/apikey.go (ExtractAPIKey) does through golang.org/x/oauth2's TokenSource when a
// GitHub or OIDC link's access token has expired.
import * as oauth from "oauth4webapi";
import type { GithubConfig, OidcConfig } from "./config.ts";
import { describe } from "./flow.ts";
import { githubClient, githubEndpoints, githubTokenError } from "./github.ts";
import { clientAuth, discover, oidcClient } from "./oidc.ts";
import { requestOptions } from "./provider-http.ts";

export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  /** Null when the provider gives no lifetime: the token does not expire, as Coder reads a zero expiry. */
  expiry: Date | null;
}

/** Why a refresh failed, for Coder's `detail`: the provider's error code and description, never a token. */
export class RefreshFailed extends Error {}

function tokensOf(tokens: oauth.TokenEndpointResponse, previousRefresh: string, now: Date): RefreshedTokens {
  return {
    accessToken: tokens.access_token,
    // A provider that does not rotate refresh tokens answers without one: the old one stays good, as
    // golang.org/x/oauth2 keeps it.
    refreshToken: tokens.refresh_token ?? previousRefresh,
    expiry: tokens.expires_in ? new Date(now.getTime() + tokens.expires_in * 1000) : null,
  };
}

async function refreshOidc(cfg: OidcConfig, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const as = await discover(cfg);
  const client = oidcClient(cfg);
  const res = await oauth.refreshTokenGrantRequest(
    as,
    client,
    clientAuth(as, cfg.clientSecret),
    refreshToken,
    requestOptions(as.token_endpoint ?? cfg.issuerUrl),
  );
  return oauth.processRefreshTokenResponse(as, client, res);
}

async function refreshGithub(cfg: GithubConfig, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const ep = githubEndpoints(cfg);
  const res = await oauth.refreshTokenGrantRequest(
    ep.as,
    githubClient(cfg),
    oauth.ClientSecretPost(cfg.clientSecret),
    refreshToken,
    requestOptions(ep.as.token_endpoint!),
  );
  // GitHub reports a bad or expired refresh token with HTTP 200 and `{"error": "bad_refresh_token"}`.
  const error = await githubTokenError(res);
  if (error) throw new Error(error);
  return oauth.processRefreshTokenResponse(ep.as, githubClient(cfg), res);
}

/**
 * New tokens for the link, or RefreshFailed naming why. `provider` is the configuration of the link's login
 * type (the caller has checked it is configured).
 */
export async function refreshProviderTokens(
  provider: { github: GithubConfig } | { oidc: OidcConfig },
  refreshToken: string,
  now: Date,
): Promise<RefreshedTokens> {
  try {
    const tokens =
      "github" in provider ? await refreshGithub(provider.github, refreshToken) : await refreshOidc(provider.oidc, refreshToken);
    return tokensOf(tokens, refreshToken, now);
  } catch (err) {
    throw new RefreshFailed(describe(err));
  }
}
