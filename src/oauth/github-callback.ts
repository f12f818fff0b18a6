// GET /users/oauth2/github/callback (Coder's coderd/userauth.go): without `code`, off to GitHub (or, with the
// device flow, to the web page that runs it); with `code`, the checks in Coder's order: organizations,
// teams, a verified primary email, then find, link or create the user and open a session.
import { ApiError, apiError, errorBody } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { convertFlowState } from "./convert-state.ts";
import { callbackRoute, clearFlowCookies, notConfigured, readCallback, startFlow, type Ctx } from "./flow.ts";
import {
  exchangeCode,
  exchangeDeviceCode,
  GITHUB_SCOPES,
  githubActiveOrgs,
  githubEmails,
  githubEndpoints,
  githubUser,
  inTeam,
} from "./github.ts";
import { oauthLogin } from "./login.ts";
import { normalizeRealName, usernameFrom } from "./names.ts";
import { GITHUB_CALLBACK_PATH } from "./paths.ts";

const PATH = GITHUB_CALLBACK_PATH;

const redirectUri = (c: Ctx) => `${c.env.deps.config.accessUrl}/api/v2${PATH}`;

/**
 * Coder sends a browser that GitHub let in but Gatehouse does not back to its login page with the reason
 * (status 401, Location /login?message=...). The body carries the same message for API clients. The
 * device flow's page renders errors itself, so it gets plain JSON.
 */
function denied(message: string, redirect: string, deviceFlow: boolean): ApiError {
  if (deviceFlow) return apiError(401, "Unauthorized", message);
  const query = new URLSearchParams({ message, redirect });
  return new ApiError(401, errorBody(message), { Location: `/login?${query}` });
}

export const getGithubCallback = (app: Router) =>
  app.openapi(callbackRoute(PATH, "OAuth 2.0 GitHub Callback"), async (c) => {
    const cfg = c.env.deps.config.github;
    if (!cfg) throw notConfigured();
    const ep = githubEndpoints(cfg);
    const callback = readCallback(c);

    if (!callback) {
      const start = await startFlow(c, { pkce: !cfg.deviceFlow, nonce: false, state: await convertFlowState(c, "github") });
      // The device flow is driven by the dashboard's page, which picks up the state from the query.
      if (cfg.deviceFlow) return c.redirect(`/login/device?state=${encodeURIComponent(start.state)}`, 307);
      const url = new URL(ep.as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: cfg.clientId,
        redirect_uri: redirectUri(c),
        response_type: "code",
        scope: GITHUB_SCOPES,
        state: start.state,
        code_challenge: start.codeChallenge!,
        code_challenge_method: "S256",
      }).toString();
      return c.redirect(url.href, 307);
    }

    let tokens;
    if (cfg.deviceFlow) {
      tokens = await exchangeDeviceCode(cfg, ep, callback.code);
    } else {
      if (!callback.verifier) throw apiError(400, "PKCE challenge must be provided.");
      tokens = await exchangeCode(cfg, ep, c.req.url, redirectUri(c), callback.verifier);
    }
    const token = tokens.access_token;

    let organizations: string[] = [];
    if (!cfg.allowEveryone) {
      organizations = [...new Set((await githubActiveOrgs(ep, token)).filter((org) => cfg.allowedOrgs.includes(org)))];
      if (organizations.length === 0) {
        throw denied("You aren't a member of the authorized Github organizations!", callback.redirect, cfg.deviceFlow);
      }
    }
    const user = await githubUser(ep, token);
    if (!cfg.allowEveryone && cfg.allowedTeams.length > 0) {
      let member = false;
      for (const team of cfg.allowedTeams) {
        if (!organizations.includes(team.organization)) continue;
        if ((member = await inTeam(ep, token, team.organization, team.slug, user.login))) break;
      }
      if (!member) {
        // Go's %v of a string slice: `[org-a org-b]`.
        const names = `[${organizations.join(" ")}]`;
        throw denied(
          `You aren't a member of an authorized team in the ${names} Github organization(s)!`,
          callback.redirect,
          cfg.deviceFlow,
        );
      }
    }
    const primary = (await githubEmails(ep, token)).find((e) => e.verified && e.primary);
    if (!primary) throw apiError(400, "Your primary email must be verified on GitHub!");
    // Linking on an id of 0 would tie every such account to one user.
    if (!user.id) throw apiError(500, "The GitHub user ID is missing, this should never happen. Please report this error.");

    await oauthLogin(c, {
      loginType: "github",
      linkedId: String(user.id),
      email: primary.email,
      // Only a verified primary address gets this far.
      emailVerified: true,
      // GitHub Enterprise allows `_` in logins; usernames do not.
      username: usernameFrom(user.login.replaceAll("_", "-")),
      name: normalizeRealName(user.name ?? ""),
      avatarUrl: user.avatar_url ?? "",
      allowSignups: cfg.allowSignups,
      accessToken: token,
      refreshToken: tokens.refresh_token ?? "",
      expiry: tokens.expires_in ? new Date(c.env.deps.now().getTime() + tokens.expires_in * 1000) : null,
      claims: {},
      ...(ep.dotCom ? { githubComUserId: user.id } : {}),
      state: callback.state,
    });
    clearFlowCookies(c);
    if (cfg.deviceFlow) return c.json({ redirect_url: callback.redirect }, 200);
    return c.redirect(callback.redirect, 307);
  });
