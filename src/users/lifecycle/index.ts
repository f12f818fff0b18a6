import type { Router } from "../../http/router.ts";
import { deleteUser } from "./delete-user.ts";
import { getAssignableRoles } from "./get-assignable-roles.ts";
import { getUserRoles } from "./get-user-roles.ts";
import { postOtpChangePassword } from "./post-otp-change-password.ts";
import { postOtpRequest } from "./post-otp-request.ts";
import { putUserPassword } from "./put-user-password.ts";
import { putUserProfile } from "./put-user-profile.ts";
import { putUserRoles } from "./put-user-roles.ts";
import { putUserActivate, putUserSuspend } from "./put-user-status.ts";

/** Literal paths (registered before /users/{user}): the one-time-passcode routes and the assignable roles. */
export function mountLifecycleLiterals(app: Router): void {
  getAssignableRoles(app);
  postOtpRequest(app);
  postOtpChangePassword(app);
}

/** /users/{user}: delete, status, profile, password, roles. */
export function mountLifecycle(app: Router): void {
  deleteUser(app);
  putUserSuspend(app);
  putUserActivate(app);
  putUserProfile(app);
  putUserPassword(app);
  getUserRoles(app);
  putUserRoles(app);
}
