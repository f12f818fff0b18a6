// What a handler tells the audit trail about what it did. Only the handler knows the id of what it created
// (a user, an API key, a sign-in's session key) and whom a sign-in signed in, so it says so here once it
// succeeded; the middleware (record.ts) writes these facts with the status and the request's own data.
// Routes whose resource the request itself names (a `{user}`, a `{keyid}`, an email, the caller's session)
// declare nothing, and neither does a request refused before or by its handler: those are recorded from
// what the request named (AuditRule.requested in actions.ts), as what it asked to create does not exist.

export interface AuditFacts {
  /** The id of the resource the request created: a user id, an API key id (a session's key id). */
  resourceId: string;
  /** Its name in the record: a username, a token name, the email a password sign-in used. */
  resourceTarget: string;
  /** The user a sign-in signed in: the request had no session to name its actor. */
  userId?: string;
}

/**
 * Any route's context, whatever its middleware loaded (Hono's contexts are invariant in their env, so a
 * handler's context with `actor` is no Context<AppEnv>): only the variable set here is needed.
 */
type FactsContext = { set(key: "auditFacts", value: AuditFacts): void };

/**
 * Declares what this request did, for its audit row. Call it on success, after the change was made: a
 * later refusal rolls the change back, and the row then records the request as refused instead.
 */
export function auditFacts(c: FactsContext, facts: AuditFacts): void {
  c.set("auditFacts", facts);
}
