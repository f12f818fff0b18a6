import type { Router } from "../../http/router.ts";
import { getAppearance } from "./get-appearance.ts";
import { getAutofillParameters } from "./get-autofill-parameters.ts";
import { getGitSshKey } from "./get-gitsshkey.ts";
import { getLoginType } from "./get-login-type.ts";
import { getOidcClaims } from "./get-oidc-claims.ts";
import { getPreferences } from "./get-preferences.ts";
import { getUserOrganizationByName } from "./get-user-organization-by-name.ts";
import { getUserOrganizations } from "./get-user-organizations.ts";
import { putAppearance } from "./put-appearance.ts";
import { putGitSshKey } from "./put-gitsshkey.ts";
import { putPreferences } from "./put-preferences.ts";

/** Literal paths (registered before /users/{user}): GET /users/oidc-claims. */
export function mountSettingsLiterals(app: Router): void {
  getOidcClaims(app);
}

/** /users/{user}: appearance, preferences, login-type, gitsshkey, autofill-parameters, organizations. */
export function mountSettings(app: Router): void {
  getAppearance(app);
  putAppearance(app);
  getPreferences(app);
  putPreferences(app);
  getLoginType(app);
  getGitSshKey(app);
  putGitSshKey(app);
  getAutofillParameters(app);
  getUserOrganizations(app);
  getUserOrganizationByName(app);
}
