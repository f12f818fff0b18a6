// The audit trail's two middlewares, one on each side of the request checks (src/app.ts):
//
// - `auditedTransaction`, just in front of the routes, runs an audited request inside one database
//   transaction. A success inserts its audit row in that same transaction before it commits: an audited
//   change and its record commit together or not at all, and if the insert fails the change is rolled back
//   and the client gets a 500, never a success that left no trace. A refusal (4xx) or a failure (5xx) is
//   rolled back whole, so an answer that is not a success has changed nothing, whatever the handler wrote
//   before it refused (and a statement that failed inside the transaction cannot poison the audit insert).
//   A route that records itself (AuditRule.recordsItself: password sign-in; minting, deleting and expiring an
//   API key; signing out) runs without it: its handler writes its success's record (successRecord) in the
//   very statement that makes its change. Either way, what the request defers runs only after a success.
// - `auditTrail`, in front of everything, records the audited requests that were refused or failed,
//   including those refused before the transaction (the CSRF guard, the input checks). They changed nothing,
//   so their rows are written after the response, off the request's path.
import type { Context, MiddlewareHandler } from "hono";
import { sessionClaims } from "../auth/session.ts";
import type { AppEnv, DeferredTask, Deps } from "../deps.ts";
import { errorBody } from "../http/errors.ts";
import { describeError, logLine } from "../http/logging.ts";
import { matchedRoute } from "../http/route.ts";
import { AUDIT_RULES, type AuditRule } from "./actions.ts";
import type { AuditFacts } from "./facts.ts";
import { type AuditRow, auditRow, auditRowOf, insertAuditRow } from "./record.ts";

type Ctx = Context<AppEnv>;

/** The audit rule of the route that matched, if it is audited. */
function ruleOf(c: Ctx): AuditRule | undefined {
  if (c.req.method === "HEAD") return undefined;
  const route = matchedRoute(c);
  return route ? AUDIT_RULES[route.key] : undefined;
}

/** Thrown inside the transaction to roll it back; never escapes this module. */
const ROLLBACK = Symbol("rollback");

/** Successes, whose row the transaction wrote (or deliberately did not): the outer layer skips them. */
const settled = new WeakSet<Ctx>();

/** Requests of a recordsItself route whose handler took its success's record (successRecord). */
const recordedByHandler = new WeakSet<Ctx>();

/**
 * The record of this request's success, answered with `status` after doing what `facts` say (without them,
 * the resource the request names, as its rule's `requested` reads it), for the handler of a recordsItself
 * route (actions.ts) to write in the statement or transaction that makes its change. Write it there or fail
 * the request: once it is taken, the request is not recorded again.
 */
export function successRecord<E extends AppEnv>(route: Context<E>, status: number, facts?: AuditFacts): AuditRow {
  // A route's env only narrows AppEnv's variables (an actor that is present), and this only reads them.
  const c = route as unknown as Ctx;
  const rule = ruleOf(c);
  if (!rule?.recordsItself) throw new Error(`${c.req.method} ${c.req.path} does not record itself`);
  const row = auditRowOf(c, rule, status, facts);
  if (!row) throw new Error("a success with no record");
  recordedByHandler.add(c);
  return row;
}

export const auditTrail = (): MiddlewareHandler<AppEnv> =>
  async function auditTrail(c, next) {
    await next();
    const rule = ruleOf(c);
    if (!rule || settled.has(c)) return;
    const row = auditRow(c, rule);
    if (row) c.env.deps.defer((db) => insertAuditRow(db, row));
  };

/** A 500 in place of the handler's answer, without anything that answer set (a session cookie, a redirect). */
function replaceWithFailure(c: Ctx): void {
  const failure = c.json(errorBody("An internal server error occurred."), 500);
  failure.headers.delete("set-cookie");
  failure.headers.delete("location");
  c.res = undefined;
  c.res = failure;
}

export const auditedTransaction = (): MiddlewareHandler<AppEnv> =>
  async function auditedTransaction(c, next) {
    const rule = ruleOf(c);
    if (!rule) return next();
    // A route that needs a session refuses a request without a cryptographically valid token before it
    // reads anything (src/auth/session.ts requireActor), and such a refusal is not recorded (record.ts). Not
    // opening a transaction for it keeps unauthenticated noise off the database: on Workers a transaction is
    // a WebSocket, a Postgres start-up, BEGIN and ROLLBACK. A rule is public exactly when its route is
    // (test/node/audit/records.test.ts).
    if (!rule.public && !(await sessionClaims(c))) return next();
    const root: Deps = c.env.deps;
    // Work the request defers (last-used stamps, notifications) waits for its success, and is dropped with a
    // refusal or a rollback: an answer that is not a success has changed nothing, and a passcode must not be
    // sent for a write that did not happen.
    const deferred: DeferredTask[] = [];
    const holding = { ...root, defer: (task: DeferredTask) => void deferred.push(task) };
    if (rule.recordsItself) {
      c.env = { ...c.env, deps: holding };
      try {
        await next();
      } finally {
        c.env = { ...c.env, deps: root };
      }
      // A refusal or a failure changed nothing, and the outer layer records it after the response.
      if (c.res.status >= 400) return;
      if (recordedByHandler.has(c)) settled.add(c);
      // Never a success without its record: written after the response, and the missing record logged.
      else logLine("error", "audited success not recorded by its handler", { request_id: c.get("requestId") });
      for (const task of deferred) root.defer(task);
      return;
    }
    let committed = false;
    try {
      await root.db.transaction(async (tx) => {
        c.env = { ...c.env, deps: { ...holding, db: tx } };
        await next();
        if (c.res.status >= 400) throw ROLLBACK;
        const row = auditRow(c, rule);
        if (row) await insertAuditRow(tx, row);
      });
      committed = true;
    } catch (err) {
      if (err !== ROLLBACK) {
        logLine("error", "audited request rolled back", { request_id: c.get("requestId"), error: describeError(err) });
        replaceWithFailure(c);
      }
    } finally {
      c.env = { ...c.env, deps: root };
    }
    if (!committed) return;
    settled.add(c);
    for (const task of deferred) root.defer(task);
  };
