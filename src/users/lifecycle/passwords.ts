// What PUT /users/{user}/password and the POST /users/otp/ routes share: the strength error, the
// password-auth switch and the passcode routes' declaration, and the one transaction that replaces a password.
import type { z } from "@hono/zod-openapi";
import { and, eq, gt, type SQL } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { checkPassword } from "../../auth/password-policy.ts";
import type { Db } from "../../db/index.ts";
import { apiKeys, users } from "../../db/schema.ts";
import type { AppEnv } from "../../deps.ts";
import { defineRoute, noContent } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";

/** 400 `Invalid password.` with the policy's advice, or nothing when the password is strong enough. */
export function assertStrongPassword(password: string): void {
  const weakness = checkPassword(password);
  if (weakness) throw apiError(400, "Invalid password.", undefined, [{ field: "password", detail: weakness }]);
}

export const samePassword = () => apiError(400, "New password cannot match old password.");

/** Coder answers 403 before reading the body when password authentication is switched off. */
const requirePasswordAuth = (): MiddlewareHandler<AppEnv> =>
  async function requirePasswordAuth(c, next) {
    if (c.env.deps.config.disablePasswordAuth) throw apiError(403, "Password authentication is disabled.");
    await next();
  };

/** The two steps of a password reset by passcode (request, change-password): public, for password sign-in only, 204. */
export const passcodeRoute = <P extends string, B extends z.ZodType>(path: P, summary: string, body: B) =>
  defineRoute("post", path, summary, {
    tags: ["Authorization"],
    auth: "public",
    body,
    middleware: [requirePasswordAuth()],
    errors: [403],
    responses: noContent(),
  });

export interface Guard {
  /** Only if the stored password hash is still this one (what the caller's old password was checked against). */
  hashedPassword?: string;
  /** Only if this one-time passcode is still stored and unexpired at `now` (a passcode works once). */
  passcode?: { hash: string; now: Date };
}

/**
 * In one transaction: the new hash, the one-time passcode cleared, and every API key of the user deleted,
 * so every existing session ends with the old password. The guard turns the checks the caller made
 * before hashing into conditions of the UPDATE: a concurrent change makes it match no row, and the
 * answer is false with nothing written.
 */
export async function replacePassword(db: Db, userId: string, hashedPassword: string, guard: Guard = {}): Promise<boolean> {
  const conditions: SQL[] = [eq(users.id, userId), eq(users.deleted, false)];
  if (guard.hashedPassword !== undefined) conditions.push(eq(users.hashedPassword, guard.hashedPassword));
  if (guard.passcode) {
    conditions.push(eq(users.hashedOneTimePasscode, guard.passcode.hash), gt(users.oneTimePasscodeExpiresAt, guard.passcode.now));
  }
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ hashedPassword, hashedOneTimePasscode: null, oneTimePasscodeExpiresAt: null })
      .where(and(...conditions))
      .returning({ id: users.id });
    if (updated.length === 0) return false;
    await tx.delete(apiKeys).where(eq(apiKeys.userId, userId));
    return true;
  });
}
