import type { Router } from "../../http/router.ts";

/** Literal paths (registered before /users/{user}): GET /users/oidc-claims. */
export function mountSettingsLiterals(app: Router): void {
  void app;
}

/** /users/{user}: appearance, preferences, login-type, gitsshkey, autofill-parameters, organizations. */
export function mountSettings(app: Router): void {
  void app;
}
