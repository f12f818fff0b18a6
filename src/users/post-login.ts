import { z } from "@hono/zod-openapi";
import { successRecord } from "../audit/middleware.ts";
import { insertAuditRow } from "../audit/record.ts";
import { issueSession, issueSessionIf, setSessionCookie, type IssuedSession } from "../auth/issue-session.ts";
import { verifyStoredPassword } from "../auth/pbkdf2.ts";
import { defineRoute, created } from "../http/define-route.ts";
import { apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import type { Tx } from "../db/index.ts";
import { emailField, requiredString } from "../http/validation.ts";
import { markKnownDevice, takeRefund } from "../security/rate-limit.ts";
import { assertPasswordSignIn } from "./password-sign-in.ts";
import { signInAccount } from "./sign-in-lookup.ts";
import { lockUserIf, PASSWORD_UNCHANGED, passwordStillIs, updateUser } from "./queries.ts";

const Body = z.object({ email: emailField(), password: requiredString() }).openapi("LoginWithPasswordRequest");
const Response = z.object({ session_token: z.string() }).openapi("LoginWithPasswordResponse");

const route = defineRoute("post", "/users/login", "Log in user", {
  tags: ["Authorization"],
  auth: "public",
  body: Body,
  errors: [401, 403],
  responses: created(Response),
});

export const postLogin = (app: Router) =>
  app.openapi(route, async (c) => {
    const deps = c.env.deps;
    const { email, password } = c.req.valid("json");
    // Usually already under way: the login limiter started it beside its count (./sign-in-lookup.ts).
    const user = await signInAccount(c, email);
    const stored = user?.hashedPassword || undefined;
    // Unknown users and users without a password spend the same argon2 time as a wrong password.
    const { ok, legacy } = await verifyStoredPassword(deps.hasher, stored, password);
    assertPasswordSignIn(user, ok, deps.config.disablePasswordAuth);

    // The hash just checked must still be stored when the key is written: a password change (which deletes
    // every key of the user) either committed first, and this sign-in fails like a wrong password, or waits
    // for the lock on the user's row and then deletes the key written here. Checking before the write alone
    // let a sign-in with the old password keep a working session (docs/reliability.md).
    // The route records itself (src/audit/actions.ts): the record goes with the key, whichever way it is written.
    const record = (keyId: string) => successRecord(c, 201, { resourceId: keyId, resourceTarget: email, userId: user.id });
    let issued: IssuedSession | undefined;
    if (!legacy && user.status !== "dormant") {
      // The usual sign-in writes nothing but the key and its record: one statement, under a shared lock, so
      // sign-ins to one account run side by side (an exclusive lock in a transaction serialised them), and
      // no connection is held while argon2 runs (npm run bench, docs/performance.md).
      // The login counter's refund goes with it too (src/security/rate-limit.ts): given back exactly when the
      // session is written, without a round trip of its own.
      issued = await issueSessionIf(c, user.id, "password", PASSWORD_UNCHANGED, { hash: stored }, { record, refund: takeRefund(c) });
    } else {
      const unchanged = passwordStillIs(stored!);
      // A Coder PBKDF2 hash (an imported account) is replaced by argon2id on its first successful login;
      // hashed before the transaction, so no row stays locked while argon2 runs. This sign-in writes the
      // user's row, so it locks it exclusively from the start (two shared holders upgrading would deadlock).
      const upgraded = legacy ? await deps.hasher.hash(password) : undefined;
      issued = await deps.db.transaction(async (tx: Tx) => {
        if (!(await lockUserIf(tx, user.id, unchanged))) return undefined;
        const changes = {
          updatedAt: deps.now(),
          ...(upgraded ? { hashedPassword: upgraded } : {}),
          ...(user.status === "dormant" ? { status: "active" as const } : {}),
        };
        await updateUser(tx, user.id, changes);
        const session = await issueSession(c, tx, user.id, "password");
        await insertAuditRow(tx, record(session.keyId));
        return session;
      });
    }
    if (issued === undefined) throw apiError(401, "Incorrect email or password.");
    setSessionCookie(c, issued.token);
    await markKnownDevice(c);
    return c.json({ session_token: issued.token }, 201);
  });
