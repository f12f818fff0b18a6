// GitHub as an identity provider: OAuth 2.0 (web and device flows) through oauth4webapi, and the few REST
// calls Coder makes (user, emails, organization and team memberships). GitHub Enterprise Server, and the
// tests' fake GitHub, are reached through CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL.
import * as oauth from "oauth4webapi";
import type { GithubConfig } from "./config.ts";
import { apiError } from "../http/errors.ts";
import { describe, exchangeFailed } from "./flow.ts";
import { insecureAllowed, PROVIDER_TIMEOUT_MS, requestOptions } from "./provider-http.ts";

/** What Coder asks GitHub for: the profile, organization memberships and email addresses. */
export const GITHUB_SCOPES = "read:user read:org user:email";

export interface GithubEndpoints {
  as: oauth.AuthorizationServer;
  /** REST API root, ending in "/". */
  api: string;
  /** True for github.com, whose user ids are recorded on the user. */
  dotCom: boolean;
}

/**
 * github.com, or an Enterprise server: OAuth at the host's /login/oauth/*, REST under `<base>/api/v3/`
 * (as go-github's NewEnterpriseClient builds it).
 */
export function githubEndpoints(cfg: GithubConfig): GithubEndpoints {
  const base = cfg.enterpriseBaseUrl;
  if (!base) {
    return {
      as: {
        issuer: "https://github.com",
        authorization_endpoint: "https://github.com/login/oauth/authorize",
        token_endpoint: "https://github.com/login/oauth/access_token",
        device_authorization_endpoint: "https://github.com/login/device/code",
      },
      api: "https://api.github.com/",
      dotCom: true,
    };
  }
  const root = new URL(base);
  let api = root.href.endsWith("/") ? root.href : `${root.href}/`;
  if (!api.endsWith("/api/v3/")) api += "api/v3/";
  return {
    as: {
      issuer: root.origin,
      authorization_endpoint: new URL("/login/oauth/authorize", root).href,
      token_endpoint: new URL("/login/oauth/access_token", root).href,
      device_authorization_endpoint: new URL("/login/device/code", root).href,
    },
    api,
    dotCom: false,
  };
}

const client = (cfg: GithubConfig): oauth.Client => ({ client_id: cfg.clientId });
export { client as githubClient };

/**
 * GitHub answers token-endpoint errors with HTTP 200 and `{"error": ...}`; read that first so the caller
 * gets GitHub's error code rather than a complaint about a missing access_token.
 */
export async function githubTokenError(res: Response): Promise<string | undefined> {
  if (res.status !== 200) return undefined;
  const body = (await res
    .clone()
    .json()
    .catch(() => undefined)) as { error?: unknown } | undefined;
  return typeof body?.error === "string" ? body.error : undefined;
}

async function readToken(as: oauth.AuthorizationServer, cfg: GithubConfig, res: Response): Promise<oauth.TokenEndpointResponse> {
  const error = await githubTokenError(res);
  if (error) throw exchangeFailed(error, error === "authorization_pending");
  try {
    return await oauth.processAuthorizationCodeResponse(as, client(cfg), res);
  } catch (err) {
    throw exchangeFailed(describe(err));
  }
}

/** Web flow: the code (with its PKCE verifier) for an access token. */
export async function exchangeCode(
  cfg: GithubConfig,
  ep: GithubEndpoints,
  callbackUrl: string,
  redirectUri: string,
  verifier: string,
): Promise<oauth.TokenEndpointResponse> {
  let res: Response;
  try {
    const params = oauth.validateAuthResponse(ep.as, client(cfg), new URL(callbackUrl), oauth.skipStateCheck);
    res = await oauth.authorizationCodeGrantRequest(
      ep.as,
      client(cfg),
      oauth.ClientSecretPost(cfg.clientSecret),
      params,
      redirectUri,
      verifier,
      requestOptions(ep.as.token_endpoint!),
    );
  } catch (err) {
    throw exchangeFailed(describe(err));
  }
  return readToken(ep.as, cfg, res);
}

/** Device flow: the device code the user approved for an access token (pending until they do). */
export async function exchangeDeviceCode(cfg: GithubConfig, ep: GithubEndpoints, deviceCode: string): Promise<oauth.TokenEndpointResponse> {
  let res: Response;
  try {
    res = await oauth.deviceCodeGrantRequest(ep.as, client(cfg), oauth.None(), deviceCode, requestOptions(ep.as.token_endpoint!));
  } catch (err) {
    throw exchangeFailed(describe(err));
  }
  return readToken(ep.as, cfg, res);
}

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

/** Starts a device authorization (RFC 8628 §3.1): the codes the user types in on GitHub. */
export async function authorizeDevice(cfg: GithubConfig, ep: GithubEndpoints): Promise<DeviceAuthorization> {
  try {
    const res = await oauth.deviceAuthorizationRequest(
      ep.as,
      client(cfg),
      oauth.None(),
      { scope: GITHUB_SCOPES },
      requestOptions(ep.as.device_authorization_endpoint!),
    );
    const error = await githubTokenError(res);
    if (error) throw new Error(error);
    const d = await oauth.processDeviceAuthorizationResponse(ep.as, client(cfg), res);
    return {
      device_code: d.device_code,
      user_code: d.user_code,
      verification_uri: d.verification_uri,
      expires_in: d.expires_in,
      interval: d.interval ?? 5,
    };
  } catch (err) {
    throw apiError(500, "Failed to authorize device.", describe(err));
  }
}

class GithubApiError extends Error {}

/** One REST call with the user's token; non-2xx becomes an error naming the path and status only. */
async function rest<T>(ep: GithubEndpoints, token: string, path: string): Promise<{ status: number; body: T | undefined }> {
  const url = new URL(path, ep.api);
  if (url.protocol !== "https:" && !insecureAllowed(url.href)) throw new GithubApiError(`refusing plain http to ${url.host}`);
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      // GitHub rejects API requests without a User-Agent.
      "user-agent": "gatehouse",
    },
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    return { status: res.status, body: undefined };
  }
  return { status: res.status, body: (await res.json()) as T };
}

async function restOk<T>(ep: GithubEndpoints, token: string, path: string): Promise<T> {
  const { status, body } = await rest<T>(ep, token, path);
  if (body === undefined) throw new GithubApiError(`GET ${path}: ${status}`);
  return body;
}

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
}

/** Fetches, turning a failure into Coder's 500 with `message` (GitHub's trouble is not the client's fault). */
async function fetching<T>(message: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw apiError(500, message, describe(err));
  }
}

export const githubUser = (ep: GithubEndpoints, token: string) =>
  fetching("Internal error fetching authenticated Github user.", () => restOk<GithubUser>(ep, token, "user"));

export const githubEmails = (ep: GithubEndpoints, token: string) =>
  fetching("Internal error fetching personal Github user.", () =>
    restOk<{ email: string; primary: boolean; verified: boolean }[]>(ep, token, "user/emails"),
  );

/** The user's active organization memberships, by organization login. */
export const githubActiveOrgs = (ep: GithubEndpoints, token: string) =>
  fetching("Internal error fetching authenticated Github user organizations.", async () => {
    const memberships = await restOk<{ state: string; organization: { login: string } }[]>(
      ep,
      token,
      "user/memberships/orgs?state=active&per_page=100",
    );
    return memberships.filter((m) => m.state === "active").map((m) => m.organization.login);
  });

/** Whether the user is an active member of `org/team`; any failure (no access, 404) means no. */
export async function inTeam(ep: GithubEndpoints, token: string, org: string, team: string, login: string): Promise<boolean> {
  const path = `orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(team)}/memberships/${encodeURIComponent(login)}`;
  try {
    const { body } = await rest<{ state?: string }>(ep, token, path);
    return body?.state === "active";
  } catch {
    return false;
  }
}
