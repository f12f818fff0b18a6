// The callback's half of converting a password account to GitHub or OIDC sign-in (Coder's coderd/userauth.go,
// oauthLogin and convertUserToOauth): inside the sign-in's transaction, the identity the provider vouched
// for must belong to the very account the convert cookie names, still holding the password it was granted
// under; then the account changes its login type and loses its password, and sign-in carries on as usual
// (the link is written, a session issued) in the same transaction.
import { and, eq } from "drizzle-orm";
import { requestColumns } from "../audit/record.ts";
import type { Tx } from "../db/index.ts";
import { apiKeys, auditLogs, users, type UserRow } from "../db/schema.ts";
import { apiError } from "../http/errors.ts";
import { passwordStillIs } from "../users/queries.ts";
import { clearConvertCookie, passwordDigest, readConvertState } from "./convert-state.ts";
import type { Ctx } from "./flow.ts";
import type { ExternalIdentity } from "./login.ts";

const failed = (from: string, to: string) => apiError(403, `Request to convert login type from ${from} to ${to} failed`);

/**
 * Converts the account `found` names (found by the identity's link or email, as any sign-in finds it) and
 * answers it with its converted row. Refusals in Coder's order and words; the whole sign-in is rolled back.
 */
export async function convertLoginType<F extends { user: UserRow }>(
  c: Ctx,
  tx: Tx,
  found: F | undefined,
  id: ExternalIdentity,
): Promise<F> {
  clearConvertCookie(c);
  // No account with this identity's email: Coder's message says "oidc" for GitHub too.
  if (!found) {
    throw apiError(
      400,
      `The oidc account with the email ${JSON.stringify(id.email)} does not match the email of the account you are trying to convert. Contact your administrator to resolve this issue.`,
    );
  }
  const claims = await readConvertState(c, id.state!);
  const user = found.user;
  if (user.id !== claims.userId || user.loginType !== claims.from || id.loginType !== claims.to) {
    throw failed(user.loginType, id.loginType);
  }
  // Gatehouse's own: the password the conversion was granted under must still be the account's.
  if ((await passwordDigest(user.hashedPassword)) !== claims.passwordDigest) throw failed(user.loginType, id.loginType);

  const now = c.env.deps.now();
  // Guarded by the hash just compared: a concurrent password change or conversion makes it match no row.
  const [converted] = await tx
    .update(users)
    .set({ loginType: id.loginType, hashedPassword: "", hashedOneTimePasscode: null, oneTimePasscodeExpiresAt: null, updatedAt: now })
    .where(and(eq(users.id, user.id), eq(users.loginType, "password"), passwordStillIs(user.hashedPassword)))
    .returning();
  if (!converted) throw failed(user.loginType, id.loginType);
  // Sessions opened with the password end with it (Coder ends only the browser's own session).
  await tx.delete(apiKeys).where(and(eq(apiKeys.userId, user.id), eq(apiKeys.loginType, "password")));
  // Coder records the conversion itself as a write on the user, besides the sign-in.
  await tx.insert(auditLogs).values({
    ...requestColumns(c),
    time: now,
    userId: user.id,
    resourceType: "user",
    resourceId: user.id,
    resourceTarget: user.username,
    action: "write",
    diff: { login_type: { old: user.loginType, new: id.loginType, secret: false }, hashed_password: { secret: true } },
    // The callback's answer: a redirect, or JSON for GitHub's device flow.
    statusCode: id.loginType === "github" && c.env.deps.config.github?.deviceFlow ? 200 : 307,
  });
  return { ...found, user: converted };
}
