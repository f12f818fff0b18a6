// The account a password sign-in names, read once per request. The login limiter starts the read beside its
// count (src/security/rate-limit.ts, `alongside`): on Workers each statement is a round trip to the
// database, and the two then take one round trip together instead of two in a row (docs/performance.md).
// The route awaits the read only once the limiter let the request through, so nothing is decided on it
// before the count is.
import type { Context } from "hono";
import { startRead, takeRead } from "../db/early-reads.ts";
import type { UserRow } from "../db/schema.ts";
import type { AppEnv } from "../deps.ts";
import { bodyText } from "../security/input.ts";
import { findUserByEmail } from "./queries.ts";

/** The live user `email` names: the read already started for this request, or a new one. */
export function signInAccount<E extends AppEnv>(c: Context<E>, email: string): Promise<UserRow | undefined> {
  return takeRead(c, findUserByEmail, email);
}

/** Starts the read for the `email` of the request's JSON body, if it has one. */
export function startSignInLookup(c: Context<AppEnv>): void {
  const email = bodyText(c, "email");
  if (email) startRead(c, findUserByEmail, email);
}
