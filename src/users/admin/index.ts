import type { Router } from "../../http/router.ts";
import { getUsers } from "./get-users.ts";
import { postUser } from "./post-user.ts";

/** GET /users and POST /users. */
export function mountUserAdmin(app: Router): void {
  getUsers(app);
  postUser(app);
}
