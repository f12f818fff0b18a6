// The browser half of an OAuth 2.0 login, shared by GitHub and OIDC (Coder's coderd/httpmw/oauth2.go,
// httpmw.ExtractOAuth2): the first visit sets the state, redirect, PKCE and nonce cookies and goes to the
// provider; the provider sends the browser back with `code` and `state`, checked here against the cookies
// in Coder's order and with Coder's messages.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import * as oauth from "oauth4webapi";
import type { AppEnv } from "../deps.ts";
import { defineRoute } from "../http/define-route.ts";
import { apiError } from "../http/errors.ts";
import { safeRedirect } from "./redirect.ts";

export const STATE_COOKIE = "oauth_state";
export const REDIRECT_COOKIE = "oauth_redirect";
export const VERIFIER_COOKIE = "oauth_pkce_verifier";
/** Gatehouse's own: Coder sends no nonce, Gatehouse binds the ID token to the browser that asked. */
export const NONCE_COOKIE = "oauth_nonce";

/** The query of both callbacks; every field is optional because one route serves both legs. */
const CallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  redirect: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  error_uri: z.string().optional(),
});

const DeviceCallbackResponse = z.object({ redirect_url: z.string() }).openapi("OAuth2DeviceFlowCallbackResponse");

export const callbackRoute = (path: string, summary: string) =>
  defineRoute("get", path, summary, {
    auth: "public",
    query: CallbackQuery,
    errors: [400, 401, 403, 409, 428, 500, 502],
    responses: {
      // Only GitHub's device flow answers 200: its web page, not the browser, follows the redirect.
      200: { description: "OK (GitHub device flow)", content: { "application/json": { schema: DeviceCallbackResponse } } },
      307: { description: "Temporary Redirect" },
    },
  });

export type Ctx = Context<AppEnv>;

/** 428, Coder's original status (its newest coderd/httpmw/oauth2.go answers 400). */
export const notConfigured = () => apiError(428, "The oauth2 method requested is not configured!");

/** The flow cookies: HttpOnly, Lax (they must ride along on the provider's redirect back), Secure on https. */
/** A sign-in flow's cookie: HttpOnly, and Lax so it rides along on the provider's redirect back. */
export function flowCookie<E extends AppEnv>(c: Context<E>, name: string, value: string, expires?: Date) {
  setCookie(c, name, value, { path: "/", httpOnly: true, sameSite: "Lax", secure: c.env.deps.config.secureCookies, expires });
}

export interface FlowStart {
  state: string;
  /** Set when the provider takes PKCE: the S256 challenge goes in the authorization URL. */
  codeChallenge?: string;
  nonce?: string;
}

/** Mints the per-login secrets and stores them in cookies (the redirect cookie is always rewritten). */
export async function startFlow(c: Ctx, options: { pkce: boolean; nonce: boolean; state?: string }): Promise<FlowStart> {
  // A given state is a conversion's, already checked against its cookie (src/oauth/convert-state.ts).
  const state = options.state ?? oauth.generateRandomState();
  flowCookie(c, STATE_COOKIE, state);
  // Always written, so an earlier login's destination can never apply to this one.
  flowCookie(c, REDIRECT_COOKIE, safeRedirect(c.req.query("redirect"), c.env.deps.config.accessUrl));
  const start: FlowStart = { state };
  if (options.pkce) {
    const verifier = oauth.generateRandomCodeVerifier();
    flowCookie(c, VERIFIER_COOKIE, verifier);
    start.codeChallenge = await oauth.calculatePKCECodeChallenge(verifier);
  }
  if (options.nonce) {
    start.nonce = oauth.generateRandomNonce();
    flowCookie(c, NONCE_COOKIE, start.nonce);
  }
  return start;
}

export interface Callback {
  code: string;
  state: string;
  /** Local path to land on. */
  redirect: string;
  verifier: string | undefined;
  nonce: string | undefined;
}

/** Compares in constant time: the state cookie is a secret until it has matched. */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The return leg's checks, before any call to the provider. Returns undefined when there is no `code`
 * (the caller starts a new flow instead).
 */
export function readCallback(c: Ctx): Callback | undefined {
  const q = c.req.query();
  if (q.error) {
    // The provider refused (bad scope, the user said no): its own words, joined as Coder joins them.
    const uri = q.error_uri ? `error_uri: ${q.error_uri}` : "";
    const detail = q.error_description && uri ? `${q.error_description}, ${uri}` : q.error_description || uri;
    throw apiError(400, `Encountered error in oidc process: ${q.error}`, detail);
  }
  if (!q.code) return undefined;
  if (!q.state) throw apiError(400, "State must be provided.");
  const cookie = getCookie(c, STATE_COOKIE);
  if (cookie === undefined) throw apiError(401, `Cookie "${STATE_COOKIE}" must be provided.`);
  if (!sameString(cookie, q.state)) throw apiError(401, "State mismatched.");
  return {
    code: q.code,
    state: q.state,
    // Checked again on the way out: the cookie may have been planted from a sibling subdomain.
    redirect: safeRedirect(getCookie(c, REDIRECT_COOKIE), c.env.deps.config.accessUrl),
    verifier: getCookie(c, VERIFIER_COOKIE),
    nonce: getCookie(c, NONCE_COOKIE),
  };
}

/** After a successful login the one-time flow secrets are spent: the browser forgets them. */
export function clearFlowCookies(c: Ctx) {
  const secure = c.env.deps.config.secureCookies;
  for (const name of [STATE_COOKIE, VERIFIER_COOKIE, NONCE_COOKIE]) deleteCookie(c, name, { path: "/", secure });
}

export const exchangeFailed = (detail: string, pending = false) =>
  // A device flow that the user has not approved yet is the client's cue to poll again (Coder: 400).
  apiError(pending ? 400 : 500, "Failed exchanging Oauth code.", detail);

/** An error's message for a `detail`: provider error codes and descriptions, never tokens or secrets. */
export function describe(err: unknown): string {
  if (err instanceof oauth.ResponseBodyError) return err.error_description ? `${err.error}: ${err.error_description}` : err.error;
  if (err instanceof oauth.AuthorizationResponseError) return err.error;
  return err instanceof Error ? err.message : String(err);
}
