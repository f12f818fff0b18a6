// Faults on Workers: the real worker entry, its database reached through the Neon driver (single
// statements through the SQL-over-HTTP stand-in, transactions through the WebSocket proxy, both reaching
// Postgres through a loopback proxy that fails on command: test/support/fault-proxy.ts, switched over HTTP
// because workerd cannot hold a socket server). With the database refusing connections, resetting them, or
// black-holed, every request answers within a bounded time with a Coder-shaped 5xx and no internals; a
// write refused mid-outage leaves no row; and the worker recovers by itself when the database comes back.
// The bounds come from the URL (connect_timeout=1, query_timeout=2000): a WebSocket connect gives up after
// 1 s, and one HTTP statement, which both reaches the database and runs, after 1 s + 2 s
// (src/db/neon.ts, httpTimeoutMs). Work deferred past the response (the audit row of the failure) is
// bounded the same way, so it cannot hold the isolate either.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { env } from "cloudflare:test";
import type { WorkerEnv } from "../../src/worker.ts";
import { type CallInit, ownerSession, timedCall } from "./client.ts";

const { databaseUrl, controlUrl } = inject("faults");
const workerEnv: WorkerEnv = { ...(env as unknown as WorkerEnv), DATABASE_URL: databaseUrl };
// One env object for every request, as one isolate has: its schema check passed once, in beforeAll.
const call = async (path: string, init?: CallInit) => (await timedCall(workerEnv, path, init)).res;
/** One HTTP statement's bound (3 s) and some slack: every request here fails on its first statement. */
const BOUND_MS = 4_500;
/** With the deferred work: one more bounded statement after the response. */
const SETTLED_MS = 2 * BOUND_MS;

async function setMode(mode: "pass" | "down" | "reset" | "blackhole") {
  const res = await fetch(`${controlUrl}?mode=${mode}`);
  if (!res.ok) throw new Error(`fault proxy: ${res.status} ${await res.text()}`);
}

let token = "";

beforeAll(async () => {
  await setMode("pass");
  token = (await ownerSession(call)).token;
});
afterAll(() => setMode("pass"));

const newUser = (username: string) => ({
  email: `${username}@example.com`,
  username,
  password: "SomeSecurePassword!",
  user_status: "active",
});

describe.each(["down", "reset", "blackhole"] as const)("database %s", (mode) => {
  it("answers every kind of request within the bound, as Coder's generic 500, then recovers", async () => {
    await setMode(mode);
    const requests: [string, RequestInit & { json?: unknown; token?: string }][] = [
      ["/api/v2/users/me", { token }],
      ["/api/v2/users?limit=5", { token }],
      ["/api/v2/users/login", { method: "POST", json: { email: "edge-owner@example.com", password: "SomeSecurePassword!" } }],
      ["/api/v2/users", { method: "POST", json: newUser(`during-${mode}`), token }],
    ];
    for (const [path, init] of requests) {
      const { res, respondedMs, settledMs } = await timedCall(workerEnv, path, init);
      expect(respondedMs, `${path} answered after ${respondedMs} ms`).toBeLessThan(BOUND_MS);
      expect(settledMs, `${path} settled after ${settledMs} ms`).toBeLessThan(SETTLED_MS);
      expect(res.status, path).toBeGreaterThanOrEqual(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ message: "An internal server error occurred." });
      expect(text).not.toMatch(/stack|at [\w.]+ \(|postgres|select|insert|password/i);
    }

    await setMode("pass");
    expect((await call("/api/v2/users/me", { token })).status).toBe(200);
    // The write refused during the outage left nothing behind.
    const found = await call(`/api/v2/users?q=${encodeURIComponent(`during-${mode}`)}`, { token });
    expect(((await found.json()) as { count: number }).count).toBe(0);
  });
});
