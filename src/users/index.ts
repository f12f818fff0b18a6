import type { Router } from "../http/router.ts";
import { mountOAuth } from "../oauth/index.ts";
import { mountUserAdmin } from "./admin/index.ts";
import { getAuthMethods } from "./get-auth-methods.ts";
import { getFirstUser } from "./get-first-user.ts";
import { getUser } from "./get-user.ts";
import { mountLifecycle, mountLifecycleLiterals } from "./lifecycle/index.ts";
import { mountNotifications } from "./notifications/index.ts";
import { postFirstUser } from "./post-first-user.ts";
import { postLogin } from "./post-login.ts";
import { postLogout } from "./post-logout.ts";
import { postValidatePassword } from "./post-validate-password.ts";
import { mountSettings, mountSettingsLiterals } from "./settings/index.ts";

/** Literal paths first: `/users/{user}` would otherwise claim `/users/first` and friends. */
export function mountUsers(app: Router): void {
  getFirstUser(app);
  postFirstUser(app);
  getAuthMethods(app);
  postLogin(app);
  postLogout(app);
  postValidatePassword(app);
  mountOAuth(app);
  mountLifecycleLiterals(app);
  mountSettingsLiterals(app);
  mountUserAdmin(app);
  getUser(app);
  mountLifecycle(app);
  mountSettings(app);
  mountNotifications(app);
}
