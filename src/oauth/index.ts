// External sign-in routes. Literal paths under /users: mounted before /users/{user} claims them.
import type { Router } from "../http/router.ts";
import { getGithubCallback } from "./github-callback.ts";
import { getGithubDevice } from "./github-device.ts";
import { getOidcCallback } from "./oidc-callback.ts";

/** The post-sign-in redirect check, for any other page that sends a browser to a user-supplied path. */
export { safeRedirect } from "./redirect.ts";

export function mountOAuth(app: Router): void {
  getGithubDevice(app);
  getGithubCallback(app);
  getOidcCallback(app);
}
