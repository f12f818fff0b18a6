import type { Router } from "../../http/router.ts";

/** GET /users and POST /users. */
export function mountUserAdmin(app: Router): void {
  void app;
}
