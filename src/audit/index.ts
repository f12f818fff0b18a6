// The audit trail's two halves: the middleware that records every state-changing request, and the route
// that reads the records back.
import type { Router } from "../http/router.ts";
import { auditedTransaction, auditTrail } from "./middleware.ts";
import { getAuditLogs } from "./route.ts";

/**
 * Call on the /api/v2 router before the request checks, so what they refuse is recorded too (after the
 * response: a refused request changed nothing).
 */
export function mountAudit(api: Router): void {
  api.use(auditTrail());
  getAuditLogs(api);
}

/**
 * Call after the request checks and before the routes: each audited request runs in one transaction with
 * its audit row. The rate limits stay outside it, so their counters never wait on a request's transaction.
 */
export function mountAuditedTransactions(api: Router): void {
  api.use(auditedTransaction());
}
