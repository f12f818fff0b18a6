// The audit trail's two halves: the middleware that records every state-changing request, and the route
// that reads the records back.
import type { Router } from "../http/router.ts";
import { auditTrail } from "./middleware.ts";
import { getAuditLogs } from "./route.ts";

/** Call on the /api/v2 router before any route, so the middleware wraps them all (the rate limits too). */
export function mountAudit(api: Router): void {
  api.use(auditTrail());
  getAuditLogs(api);
}
