// Minting an API key (POST /users/{user}/keys and /keys/tokens): the key row and the audit record of the
// request's success are written by one statement, under a guard on the user's row, outside any transaction;
// the two routes record themselves (src/audit/actions.ts). On Workers that is one HTTP round trip where the
// audited transaction took a WebSocket, a Postgres start-up, BEGIN, two inserts and COMMIT
// (docs/performance.md).
import type { Context } from "hono";
import type { AuditFacts } from "../audit/facts.ts";
import { successRecord } from "../audit/middleware.ts";
import type { TargetEnv } from "../deps.ts";
import { apiError } from "../http/errors.ts";
import { PASSWORD_UNCHANGED } from "../users/queries.ts";
import { issueKeyIf, type NewKey } from "./issue.ts";

export interface IssuedKey {
  token: string;
  id: string;
}

/**
 * Writes `key` with the record of this request's success (its facts given the new key's id), while the
 * target user's row still holds the password hash this request read. A password change deletes every key of
 * the user (src/users/lifecycle/passwords.ts): one that commits while this key is being written must not
 * leave it working, and neither may the user's deletion. Either way nothing is written and the request is
 * refused; asked again, it gets the answer the changed account gives.
 */
export async function issueRecordedKey(c: Context<TargetEnv>, key: NewKey, facts: (keyId: string) => AuditFacts): Promise<IssuedKey> {
  const { user } = c.get("target");
  const record = (keyId: string) => successRecord(c, 201, facts(keyId));
  const issued = await issueKeyIf(c.env.deps, c.env.deps.db, key, PASSWORD_UNCHANGED, { hash: user.hashedPassword }, { record });
  if (!issued) {
    throw apiError(409, "The user changed while the key was being created.", "Their password was changed or they were deleted; try again.");
  }
  return issued;
}
