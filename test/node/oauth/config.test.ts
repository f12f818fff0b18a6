// The GitHub and OIDC environment, the auth methods it produces, and Coder's name rules
// (https://github.com/coder/coder/blob/main/codersdk/name.go).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { normalizeRealName, usernameFrom } from "../../../src/oauth/names.ts";
import { startTestApp } from "../../support/harness.ts";

const GITHUB = { CODER_OAUTH2_GITHUB_CLIENT_ID: "id", CODER_OAUTH2_GITHUB_CLIENT_SECRET: "secret" };
const OIDC = { CODER_OIDC_ISSUER_URL: "https://idp.example", CODER_OIDC_CLIENT_ID: "id", CODER_OIDC_CLIENT_SECRET: "secret" };

describe("configuration", () => {
  it("leaves both providers off by default", () => {
    const config = loadConfig({});
    expect(config.github).toBeUndefined();
    expect(config.oidc).toBeUndefined();
  });

  it("reads GitHub's settings under Coder's names", () => {
    const { github } = loadConfig({
      ...GITHUB,
      CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "acme, beta ,",
      CODER_OAUTH2_GITHUB_ALLOWED_TEAMS: "acme/platform,beta/sub/team",
      CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true",
      CODER_OAUTH2_GITHUB_DEVICE_FLOW: "1",
      CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL: "https://ghe.example",
    });
    expect(github).toEqual({
      clientId: "id",
      clientSecret: "secret",
      allowedOrgs: ["acme", "beta"],
      allowedTeams: [
        { organization: "acme", slug: "platform" },
        { organization: "beta", slug: "sub/team" },
      ],
      allowSignups: true,
      allowEveryone: false,
      deviceFlow: true,
      enterpriseBaseUrl: "https://ghe.example",
    });
  });

  it("reads OIDC's settings with Coder's defaults", () => {
    expect(loadConfig(OIDC).oidc).toEqual({
      issuerUrl: "https://idp.example",
      clientId: "id",
      clientSecret: "secret",
      scopes: ["openid", "profile", "email"],
      emailDomains: [],
      ignoreEmailVerified: false,
      ignoreUserInfo: false,
      usernameField: "preferred_username",
      emailField: "email",
      nameField: "name",
      signInText: "OpenID Connect",
      iconUrl: "",
      allowSignups: true,
    });
  });

  it.each([
    [{ ...GITHUB }, "CODER_OAUTH2_GITHUB_ALLOWED_ORGS: must name at least one organization"],
    [{ ...GITHUB, CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: "true", CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "acme" }, "cannot be used together"],
    [{ CODER_OAUTH2_GITHUB_CLIENT_ID: "id", CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "a" }, "CODER_OAUTH2_GITHUB_CLIENT_SECRET: required"],
    [
      { ...GITHUB, CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "a", CODER_OAUTH2_GITHUB_ALLOWED_TEAMS: "no-slash" },
      '"no-slash" must be <organization>/<team>',
    ],
    [
      { ...GITHUB, CODER_OAUTH2_GITHUB_ALLOWED_ORGS: "a", CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL: "ftp://x" },
      "must be an http:// or https:// URL",
    ],
    [{ CODER_OIDC_ISSUER_URL: "https://idp.example" }, "CODER_OIDC_CLIENT_ID: required"],
    [{ CODER_OIDC_CLIENT_ID: "id" }, "CODER_OIDC_ISSUER_URL: required"],
  ])("refuses a broken combination loudly (%#)", (env, problem) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(problem);
  });

  it("does not repeat a secret in its complaints", () => {
    try {
      loadConfig({ CODER_OAUTH2_GITHUB_CLIENT_SECRET: "top-secret-value" });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain("top-secret-value");
    }
  });

  it("lets GET /users/authmethods reflect exactly what is configured", async () => {
    const app = await startTestApp({
      env: { ...GITHUB, CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: "true", CODER_DISABLE_PASSWORD_AUTH: "true" },
    });
    try {
      expect(await (await app.request("/api/v2/users/authmethods")).json()).toEqual({
        password: { enabled: false },
        github: { enabled: true, default_provider_configured: false },
        oidc: { enabled: false, signInText: "", iconUrl: "" },
      });
    } finally {
      await app.close();
    }
  });
});

describe("names from a provider", () => {
  it.each([
    ["octo-cat", "octo-cat"],
    ["Jane.Doe@example.com", "JaneDoe"],
    ["a@b@c.example", "ab"],
    ["under_score", "underscore"],
  ])("usernameFrom(%s) = %s", (input, expected) => {
    expect(usernameFrom(input)).toBe(expected);
  });

  it.each(["x".repeat(33), "new", "-leading", "@example.com", "名前"])("falls back to a random name for %s", (input) => {
    expect(usernameFrom(input)).toMatch(/^[a-z]+-[a-z]+\d$/);
  });

  it("normalizes real names to 128 bytes without splitting a character", () => {
    expect(normalizeRealName("  Ada  ")).toBe("Ada");
    const long = normalizeRealName(`${"é".repeat(70)}`);
    expect(new TextEncoder().encode(long).length).toBe(128);
    expect(long).toBe("é".repeat(64));
  });
});
