// The one logger (logLine), one JSON line per request (LOG_REQUESTS=true), and the one way errors are turned
// into log fields. Request lines carry the request id, tenant, route pattern (never the path or query: a
// query string can hold a session token), method, status, duration and actor id; never a header, a body, a
// token, a password or a secret.
import type { MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import type { AppEnv } from "../deps.ts";
import { matchedRoute } from "./route.ts";

export type LogLevel = "info" | "warn" | "error";

export interface LogLineOptions {
  /**
   * Stamp the line with `time` (ISO 8601); default true. False keeps a line in the shape its readers
   * already parse (the passcode notice, startup and pool lines): Workers Logs and process supervisors
   * timestamp every line themselves.
   */
  time?: boolean;
}

/**
 * The one way Gatehouse writes a log line, in src/ and scripts/ alike: a JSON object with `level` and `msg`
 * first, then the fields; errors through console.error (stderr), warnings through console.warn, the rest
 * through console.log (stdout). Workers Logs read the level from the console method too.
 */
export function logLine(level: LogLevel, msg: string, fields: Record<string, unknown> = {}, options: LogLineOptions = {}): void {
  const head = options.time === false ? { level, msg } : { level, msg, time: new Date().toISOString() };
  const line = JSON.stringify({ ...head, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** How a log line names the instance: TENANT_ID, or the access URL's host. */
export const tenantOf = (config: Config): string => config.tenantId ?? new URL(config.accessUrl).host;

export interface ErrorFields {
  name: string;
  message: string;
  /** Postgres SQLSTATE, Node error code. */
  code?: string;
  cause?: ErrorFields;
}

/**
 * An error and its chain of causes as log fields, safe to print. Drizzle's query errors put the bound
 * parameters in their message (password hashes, key ids): only the statement text is kept. Postgres'
 * `detail` (which quotes row values) is never read.
 */
export function describeError(err: unknown, depth = 0): ErrorFields {
  if (!(err instanceof Error)) return { name: typeof err, message: depth === 0 ? "non-Error thrown" : "non-Error cause" };
  const { query, code } = err as { query?: unknown; code?: unknown };
  const message = typeof query === "string" ? `Failed query: ${query}` : err.message;
  const fields: ErrorFields = { name: err.name, message };
  if (typeof code === "string") fields.code = code;
  if (err.cause !== undefined && depth < 4) fields.cause = describeError(err.cause, depth + 1);
  return fields;
}

/** Outermost middleware: times the whole request, including the error handler's response. */
export const requestLog = (): MiddlewareHandler<AppEnv> =>
  async function requestLog(c, next) {
    const config = c.env.deps.config;
    if (!config.logRequests) return next();
    const started = performance.now();
    await next();
    const status = c.res.status;
    const actor = c.get("actor");
    const fields: Record<string, unknown> = {
      request_id: c.get("requestId"),
      tenant: tenantOf(config),
      method: c.req.method,
      route: matchedRoute(c)?.path ?? null,
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (actor) fields.actor_id = actor.user.id;
    // Hono's compose records the error its onError turned into this response.
    if (c.error && status >= 500) fields.error = describeError(c.error);
    logLine(status >= 500 ? "error" : "info", "request", fields);
  };
