// GitHub/OIDC sessions end with their provider link, checked in the same single actor query
// (coderd/httpmw/apikey.go, ExtractAPIKey). The refresh of expired provider tokens is tested end to end
// in oauth/refresh.test.ts.
import { describe, expect, it } from "vitest";
import { userLinks } from "../../src/db/schema.ts";
import { issueKey } from "../../src/keys/issue.ts";
import { addUser, useTestApp, type TestApp } from "../support/harness.ts";

// GitHub configured (never reached: no test here refreshes), so an expired link is judged by its tokens.
const { app } = useTestApp({
  env: {
    CODER_OAUTH2_GITHUB_CLIENT_ID: "client",
    CODER_OAUTH2_GITHUB_CLIENT_SECRET: "secret",
    CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: "true",
  },
});

// No provider configured at all.
const { app: bare } = useTestApp();

async function session(username: string, loginType: "oidc" | "github", on: TestApp = app) {
  const user = await addUser(on, { username, loginType });
  const { token } = await issueKey(on.deps, on.db, { userId: user.id, loginType, lifetimeMs: 3600_000, ip: "127.0.0.1" });
  return { user, token };
}

describe("provider-backed sessions", () => {
  it("refuses an OIDC session whose user has no OIDC link", async () => {
    const { token } = await session("no-link", "oidc");
    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: "You must re-authenticate with the login provider." });
  });

  it("refuses a session whose provider token expired with no refresh token, naming the provider", async () => {
    const { user, token } = await session("expired-link", "github");
    const expiry = new Date("2024-01-01T10:00:00Z");
    await app.db.insert(userLinks).values({ userId: user.id, loginType: "github", linkedId: "42", oauthExpiry: expiry });
    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: 'GitHub session expired at "2024-01-01 10:00:00 +0000 UTC". Try signing in again.' });
  });

  it("accepts a linked session: unexpired or never-expiring — in one query", async () => {
    const cases = [
      { name: "fresh", oauthExpiry: new Date(Date.now() + 3600_000), oauthRefreshToken: "" },
      { name: "no-expiry", oauthExpiry: null, oauthRefreshToken: "refresh-me" },
    ];
    for (const c of cases) {
      const { user, token } = await session(`linked-${c.name}`, "oidc");
      await app.db.insert(userLinks).values({ userId: user.id, loginType: "oidc", linkedId: `iss||${c.name}`, ...c });
      await app.request("/api/v2/users/me", { token });
      await app.settle();
      app.queries.count = 0;
      const res = await app.request("/api/v2/users/me", { token });
      expect(res.status, c.name).toBe(200);
      expect(app.queries.count, c.name).toBe(1);
    }
  });

  it("answers Coder's 500 for an expired link when no provider is configured at all", async () => {
    const { user, token } = await session("unconfigured", "oidc", bare);
    await bare.db
      .insert(userLinks)
      .values({ userId: user.id, loginType: "oidc", linkedId: "iss||x", oauthExpiry: new Date(Date.now() - 60_000) });
    const res = await bare.request("/api/v2/users/me", { token });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      message: "An internal error occurred. Please try again or contact the system administrator.",
      detail:
        'Unable to refresh OAuth token for login type "oidc". No OAuth2Configs provided. Contact an administrator to configure this login type.',
    });
  });

  it("ignores links for password sessions", async () => {
    const user = await addUser(app, { username: "plain", login: true });
    expect((await app.request("/api/v2/users/me", { token: user.token })).status).toBe(200);
  });
});
