// Shared by the reliability suites: an app whose client IP each request may choose, a clock the test
// controls, and request helpers.
import { auditLogs } from "../../../src/db/schema.ts";
import { startTestApp, type TestApp } from "../../support/node-app.ts";
import { API } from "../helpers.ts";

export { API, json, type ErrorBody } from "../helpers.ts";

export interface ReliabilityApp extends TestApp {
  /** Sends from this client IP until changed (startTestApp reads its option on every request). */
  setIp(ip: string): void;
  /** Moves the app's clock; starts at a fixed instant so rate-limit windows are predictable. */
  clock: { now: Date; advance(ms: number): void };
  call(method: string, path: string, init?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

/** A window boundary plus one second: every test's first window is a whole one. */
export const T0 = new Date(Date.UTC(2030, 0, 1, 12, 0, 1));

export async function startReliabilityApp(options: { env?: Record<string, string>; databaseUrl?: string } = {}): Promise<ReliabilityApp> {
  const opts: { env?: Record<string, string>; databaseUrl?: string; clientIp: string } = { ...options, clientIp: "198.51.100.1" };
  const app = await startTestApp(opts);
  const clock = {
    now: new Date(T0),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  app.deps.now = () => new Date(clock.now);
  return Object.assign(app, {
    setIp(ip: string) {
      opts.clientIp = ip;
    },
    clock,
    call(method: string, path: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      return app.request(`${API}${path}`, {
        method,
        ...(init.token ? { token: init.token } : {}),
        ...(init.body !== undefined ? { json: init.body } : {}),
        ...(init.headers ? { headers: init.headers } : {}),
      });
    },
  });
}

/** Runs `fn` and answers how many SQL statements it sent before its response (deferred work excluded). */
export async function countQueries(app: TestApp, fn: () => Promise<unknown>): Promise<number> {
  await app.settle();
  app.queries.count = 0;
  await fn();
  return app.queries.count;
}

/** Sends `text` as the JSON body exactly as written (JSON.stringify would escape what a test means to send). */
export const sendJsonText = (app: TestApp, method: string, path: string, text: string, token?: string) =>
  app.request(`${API}${path}`, {
    method,
    body: text,
    headers: { "content-type": "application/json", ...(token ? { "Coder-Session-Token": token } : {}) },
  });

/** Every audit row, once the work deferred past earlier responses has run. */
export async function auditRowsOf(app: TestApp) {
  await app.settle();
  return app.db.select().from(auditLogs);
}
