// Calls the real worker entry (src/worker.ts) inside workerd. `database` picks one of the extra databases
// the global setup migrated, so test files that each need a fresh deployment do not share state.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { inject } from "vitest";
import worker, { type WorkerEnv } from "../../src/worker.ts";

export const BASE = "http://gatehouse.test";

export type CallInit = RequestInit & { json?: unknown; token?: string };

/** `overrides` adds or replaces environment variables for this client's worker (OIDC settings, say). */
export function workerClient(database?: string, overrides: Record<string, string> = {}) {
  // One env object per client: the worker caches its setup per env object, as per isolate in production.
  const bindings = env as unknown as WorkerEnv;
  const workerEnv: WorkerEnv =
    database || Object.keys(overrides).length > 0
      ? { ...bindings, ...(database ? { DATABASE_URL: inject("workerDatabases")[database] } : {}), ...overrides }
      : bindings;
  return async function call(path: string, init: CallInit = {}): Promise<Response> {
    return (await timedCall(workerEnv, path, init)).res;
  };
}

/**
 * One request through the worker entry, with its `waitUntil` work awaited, timed: `respondedMs` until the
 * response (what the client waits for), `settledMs` until the work deferred past it finished too.
 */
export async function timedCall(
  workerEnv: WorkerEnv,
  path: string,
  init: CallInit = {},
): Promise<{ res: Response; respondedMs: number; settledMs: number }> {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("Coder-Session-Token", token);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${BASE}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  const ctx = createExecutionContext();
  const started = Date.now();
  const res = await worker.fetch(request, workerEnv, ctx);
  const respondedMs = Date.now() - started;
  await waitOnExecutionContext(ctx);
  return { res, respondedMs, settledMs: Date.now() - started };
}

/** The key id (`jti`) a token names. */
export const jti = (token: string): string => JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).jti;

export const OWNER = { email: "edge-owner@example.com", username: "edge-owner", password: "SomeSecurePassword!" };

/** Creates the first user on this client's database and returns an owner session token. */
export async function ownerSession(
  call: ReturnType<typeof workerClient>,
): Promise<{ token: string; userId: string; organizationId: string }> {
  const created = await call("/api/v2/users/first", { method: "POST", json: OWNER });
  if (created.status !== 201) throw new Error(`first user: ${created.status} ${await created.text()}`);
  const { user_id, organization_id } = (await created.json()) as { user_id: string; organization_id: string };
  const login = await call("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
  const { session_token } = (await login.json()) as { session_token: string };
  return { token: session_token, userId: user_id, organizationId: organization_id };
}
