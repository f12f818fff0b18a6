// GET /users/oidc/callback (Coder's coderd/userauth.go `userOIDC`): without `code`, off to the provider with state, nonce
// and (when supported) PKCE; with `code`, the verified ID token and userinfo claims become a user, checked
// in Coder's order: subject, email, email_verified, username, email domain.
import type { OidcConfig } from "./config.ts";
import { apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { nameValid } from "../http/validation.ts";
import { convertFlowState } from "./convert-state.ts";
import { callbackRoute, clearFlowCookies, notConfigured, readCallback, startFlow, type Ctx } from "./flow.ts";
import { asciiLower } from "./email.ts";
import { oauthLogin } from "./login.ts";
import { normalizeRealName, usernameFrom } from "./names.ts";
import { discover, exchangeAndVerify, supportsPkce, userInfoClaims } from "./oidc.ts";
import { oidcEmail } from "./oidc-email.ts";
import { OIDC_CALLBACK_PATH } from "./paths.ts";

const PATH = OIDC_CALLBACK_PATH;

const redirectUri = (c: Ctx) => `${c.env.deps.config.accessUrl}/api/v2${PATH}`;

/** Go's %q of a string slice: `["a.test" "b.test"]`. */
const goQuotedList = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(" ")}]`;

function checkDomain(cfg: OidcConfig, email: string) {
  if (cfg.emailDomains.length === 0) return;
  const at = email.lastIndexOf("@");
  // ASCII case only: Coder's strings.EqualFold would let `\u212Aorp.example` (Kelvin sign) pass for `korp.example`.
  const domain = at >= 0 ? asciiLower(email.slice(at + 1)) : undefined;
  // Administrators sometimes write the domain with its "@".
  const allowed = domain !== undefined && cfg.emailDomains.some((d) => asciiLower(d.replace(/^@/, "")) === domain);
  if (!allowed) throw apiError(403, `Your email ${JSON.stringify(email)} is not in domains ${goQuotedList(cfg.emailDomains)}!`);
}

const stringClaim = (claims: Record<string, unknown>, name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : "");

export const getOidcCallback = (app: Router) =>
  app.openapi(callbackRoute(PATH, "OpenID Connect Callback"), async (c) => {
    const cfg = c.env.deps.config.oidc;
    if (!cfg) throw notConfigured();
    const callback = readCallback(c);
    const as = await discover(cfg);

    if (!callback) {
      const start = await startFlow(c, { pkce: supportsPkce(as), nonce: true, state: await convertFlowState(c, "oidc") });
      const url = new URL(as.authorization_endpoint!);
      const query = new URLSearchParams({
        client_id: cfg.clientId,
        redirect_uri: redirectUri(c),
        response_type: "code",
        scope: cfg.scopes.join(" "),
        state: start.state,
        nonce: start.nonce!,
      });
      if (start.codeChallenge) {
        query.set("code_challenge", start.codeChallenge);
        query.set("code_challenge_method", "S256");
      }
      for (const [k, v] of query) url.searchParams.set(k, v);
      return c.redirect(url.href, 307);
    }

    if (supportsPkce(as) && !callback.verifier) throw apiError(400, "PKCE challenge must be provided.");
    const { tokens, idTokenClaims } = await exchangeAndVerify(cfg, as, c.req.url, redirectUri(c), callback.verifier, callback.nonce);
    const sub = stringClaim(idTokenClaims, "sub");
    if (!sub) {
      throw apiError(
        400,
        "OIDC token missing 'sub' claim field or 'sub' claim field is empty.",
        "'sub' claim field is required to be unique for all users by a given issue, an empty field is invalid and this authentication attempt is rejected.",
      );
    }
    const userInfo = await userInfoClaims(cfg, as, tokens.access_token, sub);
    // Userinfo wins over the ID token, as in Coder, for everything but the email (see oidc-email.ts).
    const merged = { ...idTokenClaims, ...userInfo };

    let username = stringClaim(merged, cfg.usernameField);
    const { email, verification } = oidcEmail(cfg, idTokenClaims, userInfo, username);
    if (verification === "unverified" && !cfg.ignoreEmailVerified) {
      throw apiError(403, `Verify the ${JSON.stringify(email)} email address on your OIDC provider to authenticate!`);
    }
    if (nameValid(username) !== undefined) username = usernameFrom(username || email);
    checkDomain(cfg, email);

    await oauthLogin(c, {
      loginType: "oidc",
      // Stable per provider (OIDC Core §5.7): the issuer and subject together.
      linkedId: `${stringClaim(idTokenClaims, "iss")}||${sub}`,
      email,
      // An address of unknown status still signs in and signs up (as in Coder), but is not enough to take
      // over an existing account; CODER_OIDC_IGNORE_EMAIL_VERIFIED says to trust the provider's addresses.
      emailVerified: verification === "verified" || cfg.ignoreEmailVerified,
      username,
      name: normalizeRealName(stringClaim(merged, cfg.nameField)),
      avatarUrl: stringClaim(merged, "picture"),
      allowSignups: cfg.allowSignups,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? "",
      expiry: tokens.expires_in ? new Date(c.env.deps.now().getTime() + tokens.expires_in * 1000) : null,
      claims: { id_token_claims: idTokenClaims, user_info_claims: userInfo, merged_claims: merged },
      state: callback.state,
    });
    clearFlowCookies(c);
    return c.redirect(callback.redirect, 307);
  });
