// POST /users/otp/change-password (Coder's coderd/userauth.go): finishes a password reset with the passcode
// from POST /users/otp/request. An unknown email, a wrong passcode and an expired one get the same answer
// after the same argon2 work. The passcode works once: the write is conditional on it still being stored.
import { z } from "@hono/zod-openapi";
import { verifyOrWaste } from "../../auth/hasher.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { emailField, requiredString } from "../../http/validation.ts";
import { findUserByEmail } from "../queries.ts";
import { assertStrongPassword, replacePassword, passcodeRoute, samePassword } from "./passwords.ts";

const Body = z
  .object({
    email: emailField(),
    password: requiredString(),
    one_time_passcode: requiredString(),
  })
  .openapi("ChangePasswordWithOneTimePasscodeRequest");

const route = passcodeRoute("/users/otp/change-password", "Change password with a one-time passcode", Body);

const incorrect = () => apiError(400, "Incorrect email or one-time passcode.");

export const postOtpChangePassword = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, hasher, now } = c.env.deps;
    const body = c.req.valid("json");
    assertStrongPassword(body.password);

    const user = await findUserByEmail(db, body.email);
    const passcodeHash = user?.hashedOneTimePasscode ?? undefined;
    const matches = await verifyOrWaste(hasher, passcodeHash, body.one_time_passcode);
    const at = now();
    const expiresAt = user?.oneTimePasscodeExpiresAt;
    if (!user || !passcodeHash || !matches || !expiresAt || expiresAt.getTime() <= at.getTime()) throw incorrect();
    if (user.hashedPassword && (await hasher.verify(user.hashedPassword, body.password))) throw samePassword();

    const hashed = await hasher.hash(body.password);
    // Another request that used (or replaced) this passcode meanwhile, or its expiry passing while the new
    // password was hashed, makes this write match no row.
    const replaced = await replacePassword(db, user.id, hashed, { passcode: { hash: passcodeHash, now: now() } });
    if (!replaced) throw incorrect();
    return c.body(null, 204);
  });
