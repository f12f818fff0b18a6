// OpenID Connect through oauth4webapi: discovery, the authorization URL, the code exchange, and the ID
// token's verification (issuer, audience, expiry, nonce, then its signature against the provider's JWKS),
// plus the userinfo claims Coder merges over the ID token's.
import * as oauth from "oauth4webapi";
import type { OidcConfig } from "./config.ts";
import { apiError } from "../http/errors.ts";
import { describe, exchangeFailed } from "./flow.ts";
import { requestOptions } from "./provider-http.ts";

/**
 * Discovery documents and JWKS are plain data, safe to keep for the isolate's (or process's) life; no I/O
 * object is shared between requests. An hour bounds how long a rotated provider configuration is missed.
 */
const DISCOVERY_TTL_MS = 3600_000;
const discovered = new Map<string, { as: oauth.AuthorizationServer; at: number }>();
const jwksCaches = new Map<string, oauth.JWKSCacheInput>();

/** The provider's metadata; an unreachable or malformed provider is a 502, not the client's fault. */
export async function discover(cfg: OidcConfig): Promise<oauth.AuthorizationServer> {
  const hit = discovered.get(cfg.issuerUrl);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.as;
  try {
    const issuer = new URL(cfg.issuerUrl);
    const res = await oauth.discoveryRequest(issuer, { ...requestOptions(cfg.issuerUrl), algorithm: "oidc" });
    const as = await oauth.processDiscoveryResponse(issuer, res);
    if (!as.authorization_endpoint || !as.token_endpoint)
      throw new Error("the discovery document names no authorization or token endpoint");
    discovered.set(cfg.issuerUrl, { as, at: Date.now() });
    return as;
  } catch (err) {
    throw apiError(502, "Failed to discover the OIDC provider.", describe(err));
  }
}

export const oidcClient = (cfg: OidcConfig): oauth.Client => ({ client_id: cfg.clientId });

/** Whether the provider takes S256 PKCE; Coder sends a challenge only then, and so does Gatehouse. */
export const supportsPkce = (as: oauth.AuthorizationServer) => as.code_challenge_methods_supported?.includes("S256") === true;

/** client_secret_basic is the default method (RFC 8414); post only for providers that list nothing else. */
export function clientAuth(as: oauth.AuthorizationServer, secret: string): oauth.ClientAuth {
  const methods = as.token_endpoint_auth_methods_supported;
  return !methods || methods.includes("client_secret_basic") ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

export interface OidcTokens {
  tokens: oauth.TokenEndpointResponse;
  idTokenClaims: Record<string, unknown>;
}

const verifyFailed = (err: unknown) => apiError(400, "Failed to verify OIDC token.", describe(err));

/**
 * Exchanges the code and verifies the ID token. The token endpoint's failures are 500 ("Failed exchanging
 * Oauth code.", as Coder); a missing or invalid ID token is the 400 Coder gives.
 */
export async function exchangeAndVerify(
  cfg: OidcConfig,
  as: oauth.AuthorizationServer,
  callbackUrl: string,
  redirectUri: string,
  verifier: string | undefined,
  nonce: string | undefined,
): Promise<OidcTokens> {
  const client = oidcClient(cfg);
  let res: Response;
  try {
    // Also checks RFC 9207's `iss` parameter when the provider sends one: no mixing up providers.
    const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), oauth.skipStateCheck);
    res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(as, cfg.clientSecret),
      params,
      redirectUri,
      verifier ?? oauth.nopkce,
      requestOptions(as.token_endpoint ?? cfg.issuerUrl),
    );
  } catch (err) {
    throw exchangeFailed(describe(err));
  }
  // A successful exchange without an ID token is a misconfigured client, named as Coder names it.
  const peek = res.ok
    ? ((await res
        .clone()
        .json()
        .catch(() => undefined)) as Record<string, unknown> | undefined)
    : undefined;
  if (!peek || typeof peek.access_token !== "string") {
    try {
      await oauth.processAuthorizationCodeResponse(as, client, res);
    } catch (err) {
      throw exchangeFailed(describe(err));
    }
    throw exchangeFailed("the token endpoint returned no access token");
  }
  if (typeof peek.id_token !== "string") {
    throw apiError(400, "id_token not found in response payload. Ensure your OIDC callback is configured correctly!");
  }
  let tokens: oauth.TokenEndpointResponse;
  try {
    // A nonce cookie is always set with the state; without it the token cannot be tied to this browser.
    if (!nonce) throw new Error(`Cookie "oauth_nonce" must be provided.`);
    tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: nonce, requireIdToken: true });
    let cache = jwksCaches.get(cfg.issuerUrl);
    if (!cache) jwksCaches.set(cfg.issuerUrl, (cache = {}));
    await oauth.validateApplicationLevelSignature(as, res, {
      ...requestOptions(as.jwks_uri ?? cfg.issuerUrl),
      [oauth.jwksCache]: cache,
    });
  } catch (err) {
    throw verifyFailed(err);
  }
  return { tokens, idTokenClaims: { ...oauth.getValidatedIdTokenClaims(tokens) } };
}

/** The userinfo endpoint's claims (empty when the provider has none), bound to the ID token's subject. */
export async function userInfoClaims(
  cfg: OidcConfig,
  as: oauth.AuthorizationServer,
  accessToken: string,
  sub: string,
): Promise<Record<string, unknown>> {
  if (cfg.ignoreUserInfo || !as.userinfo_endpoint) return {};
  try {
    const client = oidcClient(cfg);
    const res = await oauth.userInfoRequest(as, client, accessToken, requestOptions(as.userinfo_endpoint));
    return { ...(await oauth.processUserInfoResponse(as, client, sub, res)) };
  } catch (err) {
    throw apiError(
      500,
      "Failed to obtain user information claims.",
      `The attempt to fetch claims via the UserInfo endpoint failed: ${describe(err)}`,
    );
  }
}
