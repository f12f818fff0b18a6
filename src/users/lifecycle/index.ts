import type { Router } from "../../http/router.ts";

/** Literal paths (registered before /users/{user}): the one-time-passcode routes. */
export function mountLifecycleLiterals(app: Router): void {
  void app;
}

/** /users/{user}: delete, status, profile, password, roles. */
export function mountLifecycle(app: Router): void {
  void app;
}
