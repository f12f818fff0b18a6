// Where a browser goes to sign in with a provider, and where the provider sends it back: one route per
// provider serves both legs (Coder's coderd/coderd.go). Paths under /api/v2.
export const GITHUB_CALLBACK_PATH = "/users/oauth2/github/callback";
export const OIDC_CALLBACK_PATH = "/users/oidc/callback";

/** The routes browsers navigate to during a provider sign-in, as full paths. */
export const OAUTH_CALLBACK_PATHS = [GITHUB_CALLBACK_PATH, OIDC_CALLBACK_PATH].map((p) => `/api/v2${p}`);
