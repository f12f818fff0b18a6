// "The first user becomes the owner" (Coder's postFirstUser: https://github.com/coder/coder/blob/main/coderd/users.go).
// Two ways create that user: POST /users/first, and a first sign-in with GitHub or OIDC. Both take the same
// transaction-scoped advisory lock before they count users, so concurrent attempts through either way
// create exactly one owner, and whoever waited on the lock sees the user the one before it created.
import { sql } from "drizzle-orm";
import type { Tx } from "../db/index.ts";
import { hasFirstUser } from "./queries.ts";

/** An arbitrary constant: the advisory-lock key that serialises creations of the first user. */
const FIRST_USER_LOCK = 7_300_001;

/** Holds the first-user lock until the transaction ends; take it before counting users. */
export async function lockFirstUser(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK})`);
}

export interface NewUserRole {
  /** No user exists yet: the one about to be created is the first. */
  first: boolean;
  /** The first user is the site owner; everyone after starts with no site role. */
  rbacRoles: string[];
}

/** Called holding the lock (lockFirstUser): the site roles of the user about to be created. */
export async function newUserRole(tx: Tx): Promise<NewUserRole> {
  const first = !(await hasFirstUser(tx));
  return { first, rbacRoles: first ? ["owner"] : [] };
}
