// POST /users/otp/request (Coder's coderd/userauth.go): starts a password reset. The answer is 204 whether or
// not the email belongs to anyone, and both cases do the same work before answering (one lookup, one
// argon2 hash), so neither the status nor the timing tells an attacker which emails have accounts.
// Storing the passcode and delivering it happen after the response.
import { z } from "@hono/zod-openapi";
import type { Router } from "../../http/router.ts";
import { rfc3339 } from "../../compat/time.ts";
import { emailField } from "../../http/validation.ts";
import { findUserByEmail, storeOneTimePasscode } from "../queries.ts";
import { deliverPasscode } from "./notify.ts";
import { passcodeRoute } from "./passwords.ts";

const Body = z.object({ email: emailField() }).openapi("RequestOneTimePasscodeRequest");

const route = passcodeRoute("/users/otp/request", "Request one-time passcode", Body);

export const postOtpRequest = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, hasher, config, now, defer } = c.env.deps;
    const { email } = c.req.valid("json");
    const user = await findUserByEmail(db, email);
    // A random UUID, as Coder's: 122 bits, so guessing is hopeless even without a rate limit.
    const passcode = crypto.randomUUID();
    const hashed = await hasher.hash(passcode);
    // Only password accounts can use a new password; SSO and service accounts get nothing (and the same 204).
    // The passcode is stored after the response, as its delivery is: written before answering, it made
    // known emails answer measurably slower than unknown ones. Delivering only once the write has
    // committed keeps the promise that a passcode that was sent is valid when it arrives (until it is
    // used, expires or is replaced by a newer request).
    if (user && user.loginType === "password") {
      const expiresAt = new Date(now().getTime() + config.otpValidityMs);
      defer(async (handle) => {
        // A macrotask later, so not even an embedded database (PGlite runs on this thread) delays the answer.
        await new Promise((resolve) => setTimeout(resolve, 0));
        // Deleted since the lookup: nothing stored, so nothing is sent.
        if (!(await storeOneTimePasscode(handle, user.id, hashed, expiresAt))) return;
        await deliverPasscode(config, {
          email: user.email,
          user_id: user.id,
          passcode,
          expires_at: rfc3339(expiresAt),
        });
      });
    }
    return c.body(null, 204);
  });
