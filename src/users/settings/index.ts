import type { Router } from "../../http/router.ts";
import { appearanceDocument } from "./appearance.ts";
import { mountSettingsDocument } from "./document.ts";
import { getAutofillParameters } from "./get-autofill-parameters.ts";
import { getGitSshKey } from "./get-gitsshkey.ts";
import { getLoginType } from "./get-login-type.ts";
import { getOidcClaims } from "./get-oidc-claims.ts";
import { getUserOrganizationByName } from "./get-user-organization-by-name.ts";
import { getUserOrganizations } from "./get-user-organizations.ts";
import { postConvertLogin } from "./post-convert-login.ts";
import { deleteWebpushSubscription } from "./delete-webpush-subscription.ts";
import { getQuietHours } from "./get-quiet-hours.ts";
import { postWebpushSubscription } from "./post-webpush-subscription.ts";
import { putQuietHours } from "./put-quiet-hours.ts";
import { preferencesDocument } from "./preferences.ts";
import { putGitSshKey } from "./put-gitsshkey.ts";

/** Literal paths (registered before /users/{user}): GET /users/oidc-claims. */
export function mountSettingsLiterals(app: Router): void {
  getOidcClaims(app);
}

/**
 * /users/{user}: appearance, preferences, login-type, convert-login, gitsshkey, autofill-parameters, organizations,
 * quiet-hours, webpush/subscription.
 */
export function mountSettings(app: Router): void {
  mountSettingsDocument(app, appearanceDocument);
  mountSettingsDocument(app, preferencesDocument);
  getLoginType(app);
  postConvertLogin(app);
  getGitSshKey(app);
  putGitSshKey(app);
  getAutofillParameters(app);
  getUserOrganizations(app);
  getUserOrganizationByName(app);
  getQuietHours(app);
  putQuietHours(app);
  postWebpushSubscription(app);
  deleteWebpushSubscription(app);
}
