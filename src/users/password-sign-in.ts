// What POST /users/login and POST /users/{user}/convert-login share: the refusals of a password sign-in once
// the password was checked (Coder's coderd/userauth.go `loginRequest`), in its order and words.
import type { UserRow } from "../db/schema.ts";
import { apiError } from "../http/errors.ts";

/** Refuses a wrong password (or no such user), password sign-in switched off, another login type, a suspended user. */
export function assertPasswordSignIn<U extends Pick<UserRow, "loginType" | "status">>(
  user: U | undefined,
  passwordOk: boolean,
  disablePasswordAuth: boolean,
): asserts user is U {
  if (!user || !passwordOk) throw apiError(401, "Incorrect email or password.");
  if (disablePasswordAuth) throw apiError(403, "Password authentication is disabled.");
  if (user.loginType !== "password") {
    throw apiError(403, `Incorrect login type, attempting to use "password" but user is of login type "${user.loginType}"`);
  }
  if (user.status === "suspended") throw apiError(401, "Your account is suspended. Contact an admin to reactivate your account.");
}
