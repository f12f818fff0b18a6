// Sign-in provider settings (GitHub, OpenID Connect) read from the parsed environment (src/config.ts), with
// the combinations Coder refuses at start-up refused here too: an allow-list or ALLOW_EVERYONE, never
// both; a client secret unless the device flow is on; an issuer with its client id and secret
// (https://github.com/coder/coder/blob/main/cli/server.go).
import type { ParsedEnv } from "../config.ts";

export interface GithubConfig {
  clientId: string;
  clientSecret: string;
  allowedOrgs: string[];
  allowedTeams: { organization: string; slug: string }[];
  allowSignups: boolean;
  allowEveryone: boolean;
  deviceFlow: boolean;
  enterpriseBaseUrl: string | undefined;
}

export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  emailDomains: string[];
  ignoreEmailVerified: boolean;
  /** Skip the userinfo endpoint: the ID token's claims are all the claims. */
  ignoreUserInfo: boolean;
  usernameField: string;
  emailField: string;
  nameField: string;
  signInText: string;
  iconUrl: string;
  allowSignups: boolean;
}

/** GitHub settings, with the combinations Coder refuses at start-up refused here too. */
export function githubConfig(e: ParsedEnv, problems: string[]): GithubConfig | undefined {
  const clientId = e.CODER_OAUTH2_GITHUB_CLIENT_ID;
  if (!clientId) {
    if (e.CODER_OAUTH2_GITHUB_CLIENT_SECRET)
      problems.push("CODER_OAUTH2_GITHUB_CLIENT_ID: required with CODER_OAUTH2_GITHUB_CLIENT_SECRET");
    return undefined;
  }
  const clientSecret = e.CODER_OAUTH2_GITHUB_CLIENT_SECRET ?? "";
  // The device flow is the only one that works without the client secret.
  if (!clientSecret && !e.CODER_OAUTH2_GITHUB_DEVICE_FLOW)
    problems.push("CODER_OAUTH2_GITHUB_CLIENT_SECRET: required unless CODER_OAUTH2_GITHUB_DEVICE_FLOW is true");
  const everyone = e.CODER_OAUTH2_GITHUB_ALLOW_EVERYONE;
  if (everyone && (e.CODER_OAUTH2_GITHUB_ALLOWED_ORGS.length > 0 || e.CODER_OAUTH2_GITHUB_ALLOWED_TEAMS.length > 0)) {
    problems.push("CODER_OAUTH2_GITHUB_ALLOW_EVERYONE: cannot be used together with allowed organizations or teams");
  }
  if (!everyone && e.CODER_OAUTH2_GITHUB_ALLOWED_ORGS.length === 0) {
    problems.push("CODER_OAUTH2_GITHUB_ALLOWED_ORGS: must name at least one organization, or set CODER_OAUTH2_GITHUB_ALLOW_EVERYONE=true");
  }
  const allowedTeams = e.CODER_OAUTH2_GITHUB_ALLOWED_TEAMS.map((raw) => {
    const [organization = "", slug = ""] = raw.split(/\/(.*)/s);
    if (!organization || !slug) problems.push(`CODER_OAUTH2_GITHUB_ALLOWED_TEAMS: "${raw}" must be <organization>/<team>`);
    return { organization, slug };
  });
  return {
    clientId,
    clientSecret,
    allowedOrgs: e.CODER_OAUTH2_GITHUB_ALLOWED_ORGS,
    allowedTeams,
    allowSignups: e.CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS,
    allowEveryone: everyone,
    deviceFlow: e.CODER_OAUTH2_GITHUB_DEVICE_FLOW,
    enterpriseBaseUrl: e.CODER_OAUTH2_GITHUB_ENTERPRISE_BASE_URL,
  };
}

export function oidcConfig(e: ParsedEnv, problems: string[]): OidcConfig | undefined {
  const issuerUrl = e.CODER_OIDC_ISSUER_URL;
  if (!issuerUrl) {
    if (e.CODER_OIDC_CLIENT_ID) problems.push("CODER_OIDC_ISSUER_URL: required with CODER_OIDC_CLIENT_ID");
    return undefined;
  }
  if (!e.CODER_OIDC_CLIENT_ID) problems.push("CODER_OIDC_CLIENT_ID: required with CODER_OIDC_ISSUER_URL");
  if (!e.CODER_OIDC_CLIENT_SECRET) problems.push("CODER_OIDC_CLIENT_SECRET: required with CODER_OIDC_ISSUER_URL");
  return {
    issuerUrl,
    clientId: e.CODER_OIDC_CLIENT_ID ?? "",
    clientSecret: e.CODER_OIDC_CLIENT_SECRET ?? "",
    scopes: e.CODER_OIDC_SCOPES,
    emailDomains: e.CODER_OIDC_EMAIL_DOMAIN,
    ignoreEmailVerified: e.CODER_OIDC_IGNORE_EMAIL_VERIFIED,
    ignoreUserInfo: e.CODER_OIDC_IGNORE_USERINFO,
    usernameField: e.CODER_OIDC_USERNAME_FIELD,
    emailField: e.CODER_OIDC_EMAIL_FIELD,
    nameField: e.CODER_OIDC_NAME_FIELD,
    signInText: e.CODER_OIDC_SIGN_IN_TEXT,
    iconUrl: e.CODER_OIDC_ICON_URL,
    allowSignups: e.CODER_OIDC_ALLOW_SIGNUPS,
  };
}
