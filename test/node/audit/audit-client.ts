// The audit suites' view of the log: requests that carry a known user agent, the log read back through
// GET /api/v2/audit, and the one record a response produced (found by its request id).
import { expect } from "vitest";
import { API, json, type TestApp } from "../../support/harness.ts";

export interface AuditLog {
  id: string;
  request_id: string;
  time: string;
  ip: string;
  user_agent: string;
  resource_type: string;
  resource_id: string;
  resource_target: string;
  action: string;
  diff: Record<string, { old?: unknown; new?: unknown; secret: boolean }>;
  status_code: number;
  description: string;
  organization_id: string;
  user: { id: string; username: string } | null;
}
export interface AuditPage {
  audit_logs: AuditLog[];
  count: number;
}

export const UA = "gatehouse-audit-test/1.0";

/** `app` and the reader's token are read when called: the harness binds them in beforeAll. */
export function auditClient(app: TestApp, reader: { token: string }) {
  /** Every request of these suites carries a user agent, so the log can be checked for it. */
  function call(method: string, path: string, init: { token?: string; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = { "user-agent": UA };
    if (init.raw !== undefined) headers["content-type"] = "application/json";
    return app.request(`${API}${path}`, {
      method,
      headers,
      ...(init.token ? { token: init.token } : {}),
      ...(init.body !== undefined ? { json: init.body } : {}),
      ...(init.raw !== undefined ? { body: init.raw } : {}),
    });
  }

  async function audit(query = "", token = reader.token): Promise<AuditPage> {
    await app.settle();
    const res = await call("GET", `/audit${query}`, { token });
    expect(res.status).toBe(200);
    return json<AuditPage>(res);
  }

  /** The record a response produced, found by the response's request id. */
  async function recordOf(res: Response): Promise<AuditLog> {
    const requestId = res.headers.get("X-Request-Id")!;
    const page = await audit("?limit=1000");
    const found = page.audit_logs.filter((l) => l.request_id === requestId);
    expect(found, `one audit record for request ${requestId}`).toHaveLength(1);
    return found[0]!;
  }

  return { call, audit, recordOf };
}
