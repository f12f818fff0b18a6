// Provider tokens are refreshed on use, as Coder's coderd/httpmw/apikey.go (ExtractAPIKey) does: end to end
// against the loopback OIDC provider (short access-token lifetimes) and the fake GitHub.
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { apiKeys, userLinks } from "../../../src/db/schema.ts";
import { sleep, useTestApp, type TestApp } from "../../support/harness.ts";
import { body, Browser, GITHUB_CALLBACK, OIDC_CALLBACK, signedInAs } from "./browser.ts";
import { account } from "./fake-github.ts";
import { useProviders } from "./providers.ts";

const { idp, github } = useProviders();

const OIDC_REFUSED = "Could not refresh expired OpenID Connect token. Try re-authenticating to resolve this issue.";

async function linkOf(app: TestApp, userId: string, loginType: "oidc" | "github") {
  const [link] = await app.db
    .select()
    .from(userLinks)
    .where(and(eq(userLinks.userId, userId), eq(userLinks.loginType, loginType)));
  return link!;
}

/** Signs `sub` in through the provider; answers the session token and the user. */
async function oidcSession(app: TestApp, sub: string) {
  idp.next = { idToken: { sub, email: `${sub}@example.com`, email_verified: true, preferred_username: sub }, userInfo: {} };
  const browser = new Browser(app);
  expect((await browser.signIn(OIDC_CALLBACK)).status).toBe(307);
  const user = await signedInAs(app, browser);
  return { token: browser.cookies.get("coder_session_token")!, user };
}

/** Makes the link's provider token expired a minute ago. */
async function expire(app: TestApp, userId: string, loginType: "oidc" | "github" = "oidc") {
  const expiry = new Date(Date.now() - 60_000);
  await app.db
    .update(userLinks)
    .set({ oauthExpiry: expiry })
    .where(and(eq(userLinks.userId, userId), eq(userLinks.loginType, loginType)));
  return expiry;
}

describe("OIDC provider tokens", () => {
  const { app } = useTestApp({ env: () => idp.env({ CODER_OIDC_ALLOW_SIGNUPS: "true" }) });
  beforeEach(() => {
    idp.tokenLifetime = 3600;
    idp.refuseRefresh = undefined;
  });

  it("refreshes an expired access token on the next request, storing the new tokens, then costs nothing", async () => {
    idp.tokenLifetime = 1;
    const { token, user } = await oidcSession(app, "short-lived");
    idp.tokenLifetime = 3600;
    const before = await linkOf(app, user.id, "oidc");
    await sleep(before.oauthExpiry!.getTime() - Date.now() + 50);
    const refreshes = idp.refreshes;

    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(200);
    expect(idp.refreshes).toBe(refreshes + 1);
    const after = await linkOf(app, user.id, "oidc");
    expect(after.oauthAccessToken).not.toBe(before.oauthAccessToken);
    expect(after.oauthRefreshToken).not.toBe(before.oauthRefreshToken);
    expect(after.oauthExpiry!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    // The claims of the sign-in stay (Coder keeps them for group and role sync).
    expect(after.claims).toEqual(before.claims);

    await app.settle();
    app.queries.count = 0;
    expect((await app.request("/api/v2/users/me", { token })).status).toBe(200);
    expect(app.queries.count).toBe(1);
    expect(idp.refreshes).toBe(refreshes + 1);
  });

  it("refreshes once however many requests find the token expired at the same time", async () => {
    const { token, user } = await oidcSession(app, "busy");
    await expire(app, user.id);
    const refreshes = idp.refreshes;
    const answers = await Promise.all(Array.from({ length: 6 }, () => app.request("/api/v2/users/me", { token })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(idp.refreshes).toBe(refreshes + 1);
    expect((await linkOf(app, user.id, "oidc")).oauthExpiry!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it("ends the session with Coder's 401 when the provider refuses the refresh, and retries on the next request", async () => {
    const { token, user } = await oidcSession(app, "revoked");
    const expiry = await expire(app, user.id);
    const before = await linkOf(app, user.id, "oidc");
    idp.refuseRefresh = "invalid_grant";
    const refreshes = idp.refreshes;

    for (const attempt of [1, 2]) {
      const res = await app.request("/api/v2/users/me", { token });
      expect(res.status).toBe(401);
      expect(await body(res)).toEqual({ message: OIDC_REFUSED, detail: "invalid_grant: The refresh token is no longer valid." });
      expect(res.headers.get("www-authenticate")).toContain('error_description="The access token has expired"');
      expect(idp.refreshes).toBe(refreshes + attempt);
    }
    // The claim is released: the link is as it was, expired, with its refresh token.
    const after = await linkOf(app, user.id, "oidc");
    expect(after.oauthExpiry!.getTime()).toBe(expiry.getTime());
    expect(after.oauthRefreshToken).toBe(before.oauthRefreshToken);

    // The provider accepts it again: the session goes on.
    idp.refuseRefresh = undefined;
    expect((await app.request("/api/v2/users/me", { token })).status).toBe(200);
  });

  it("lets an audited write go on and refreshes once it has committed", async () => {
    const { token, user } = await oidcSession(app, "writer");
    await expire(app, user.id);
    const refreshes = idp.refreshes;
    const res = await app.request(`/api/v2/users/${user.id}/profile`, { method: "PUT", token, json: { username: "writer", name: "W" } });
    expect(res.status).toBe(200);
    await app.settle();
    expect(idp.refreshes).toBe(refreshes + 1);
    expect((await linkOf(app, user.id, "oidc")).oauthExpiry!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it("waits for another request's claim, and takes over one that lapsed", async () => {
    const { token, user } = await oidcSession(app, "claimed");
    // Another request claimed the refresh a moment ago: this one goes on without a refresh of its own.
    await app.db
      .update(userLinks)
      .set({ oauthExpiry: new Date(Date.now() + 20_000) })
      .where(eq(userLinks.userId, user.id));
    const refreshes = idp.refreshes;
    expect((await app.request("/api/v2/users/me", { token })).status).toBe(200);
    expect(idp.refreshes).toBe(refreshes);
    // Its holder died: the lease lapses and the next request refreshes.
    await expire(app, user.id);
    expect((await app.request("/api/v2/users/me", { token })).status).toBe(200);
    expect(idp.refreshes).toBe(refreshes + 1);
  });

  it("answers Coder's 500 for a GitHub session when GitHub is no longer configured", async () => {
    const { token, user } = await oidcSession(app, "was-github");
    await app.db.update(userLinks).set({ loginType: "github", oauthRefreshToken: "r" }).where(eq(userLinks.userId, user.id));
    await expire(app, user.id, "github");
    await app.db.update(apiKeys).set({ loginType: "github" }).where(eq(apiKeys.userId, user.id));
    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(500);
    expect(await body(res)).toEqual({
      message: "An internal error occurred. Please try again or contact the system administrator.",
      detail:
        'Unable to refresh OAuth token for login type "github". OAuth2Config not provided. Contact an administrator to configure this login type.',
    });
  });
});

describe("GitHub provider tokens (expiring user tokens)", () => {
  const { app } = useTestApp({ env: () => github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) });

  async function githubSession(login: string) {
    const who = account({ login, orgs: ["acme"] });
    github.signIn(who);
    const browser = new Browser(app);
    expect((await browser.signIn(GITHUB_CALLBACK)).status).toBe(307);
    const user = await signedInAs(app, browser);
    return { who, user, token: browser.cookies.get("coder_session_token")! };
  }

  it("refreshes an expired GitHub token with its refresh token", async () => {
    const { who, user, token } = await githubSession("expiring");
    const refreshToken = github.refreshTokenFor(who);
    await app.db.update(userLinks).set({ oauthRefreshToken: refreshToken }).where(eq(userLinks.userId, user.id));
    await expire(app, user.id, "github");

    expect((await app.request("/api/v2/users/me", { token })).status).toBe(200);
    const link = await linkOf(app, user.id, "github");
    expect(link.oauthAccessToken).toBe(github.issuedTokens.at(-1));
    expect(link.oauthRefreshToken).toMatch(/^ghr_/);
    expect(link.oauthRefreshToken).not.toBe(refreshToken);
    expect(link.oauthExpiry!.getTime()).toBeGreaterThan(Date.now() + 28_000_000);
  });

  it("ends the session when GitHub refuses the refresh token", async () => {
    const { user, token } = await githubSession("refused");
    await app.db.update(userLinks).set({ oauthRefreshToken: "ghr_unknown" }).where(eq(userLinks.userId, user.id));
    await expire(app, user.id, "github");
    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(401);
    expect(await body(res)).toEqual({
      message: "Could not refresh expired GitHub token. Try re-authenticating to resolve this issue.",
      detail: "bad_refresh_token",
    });
  });
});
