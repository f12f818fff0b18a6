// Postgres through Neon's serverless driver, for Workers. Single statements (the actor query, reads,
// single-row writes) go over Neon's SQL-over-HTTP endpoint: one fetch, one round trip, no connection to open.
// Only an interactive transaction (`db.transaction`) needs a session of its own: a WebSocket Pool opened by
// the first one a request runs and closed after the response. Workers forbid reusing I/O objects across
// requests, so that Pool lives for one request; the HTTP handle holds none (each statement is a fetch of
// its own), so an isolate builds it, and prepares its hot statements on it, once.
import { neon, neonConfig, Pool, type NeonQueryFunction, type PoolClient } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm/logger";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import { logLine } from "../http/logging.ts";
import { poolTimeouts, poolTransactions, schema, type Db } from "./index.ts";

export interface NeonOptions {
  /**
   * A local WebSocket-to-TCP proxy ("127.0.0.1:4444") speaking Neon's wsproxy protocol, for running the
   * worker against a local Postgres. Unset in production, where Neon's own proxy is used.
   */
  wsProxy?: string | undefined;
  /**
   * A local stand-in for Neon's SQL-over-HTTP endpoint ("127.0.0.1:4445", scripts/neon-http.ts). Unset in
   * production, where the driver posts to the endpoint it derives from the connection string's host.
   */
  httpProxy?: string | undefined;
  logger?: Logger | undefined;
}

export function configureNeonProxy(wsProxy: string | undefined, httpProxy?: string | undefined): void {
  if (httpProxy) neonConfig.fetchEndpoint = `http://${httpProxy}/sql`;
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

/** Settings in the URL that bound the client's waits; Neon's HTTP endpoint has no use for them. */
const CLIENT_SIDE_PARAMS = ["connect_timeout", "query_timeout"];

/**
 * The longest one HTTP statement may take: the pool's connect bound plus its query bound (libpq's
 * `connect_timeout` in seconds and node-postgres' `query_timeout` in milliseconds, from the URL as the pool
 * reads them), since one fetch both reaches the database and runs the statement. Without it a black-holed
 * endpoint would hold the request until the platform gives up (docs/reliability.md).
 */
export function httpTimeoutMs(url: string): number {
  const { connectionTimeoutMillis, query_timeout } = poolTimeouts(url);
  const queryTimeout = Number(new URL(url).searchParams.get("query_timeout") || query_timeout);
  return connectionTimeoutMillis + queryTimeout;
}

/**
 * The driver's HTTP query function, every fetch bounded. Drizzle calls `query` for a statement and
 * `transaction` for a batch (drizzle-orm/neon-http/session.js), so those two are all it needs.
 */
function boundedHttp(url: string): NeonQueryFunction<false, true> {
  const target = new URL(url);
  for (const name of CLIENT_SIDE_PARAMS) target.searchParams.delete(name);
  const sql = neon(target.toString());
  const timeoutMs = httpTimeoutMs(url);
  const bounded = <O extends { fetchOptions?: Record<string, unknown> }>(opts: O | undefined) => ({
    ...opts,
    fetchOptions: { ...opts?.fetchOptions, signal: AbortSignal.timeout(timeoutMs) },
  });
  const client = {
    query: (text: string, params?: unknown[], opts?: Parameters<typeof sql.query>[2]) => sql.query(text, params, bounded(opts)),
    transaction: (queries: Parameters<typeof sql.transaction>[0], opts?: Parameters<typeof sql.transaction>[1]) =>
      sql.transaction(queries, bounded(opts)),
  };
  return client as unknown as NeonQueryFunction<false, true>;
}

export interface NeonHandle {
  db: Db;
  close(): Promise<void>;
}

/** A WebSocket Pool bounded by the URL's timeouts. */
function openPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, ...poolTimeouts(url) });
  // A socket that dies after the response is sent must not surface as an unhandled error.
  pool.on("error", (err: Error) => logLine("error", "neon pool error", { error: err.message }, { time: false }));
  return pool;
}

/**
 * Every statement on a WebSocket Pool, a session throughout: for work that needs one from start to end, such
 * as the migrator (npm run dev and the tests migrate the production way, through this driver).
 */
export function openNeonSession(url: string, options: NeonOptions = {}): NeonHandle {
  configureNeonProxy(options.wsProxy, options.httpProxy);
  const pool = openPool(url);
  return { db: drizzleWs({ client: pool, schema, logger: options.logger ?? false }) as unknown as Db, close: () => pool.end() };
}

/**
 * The HTTP handle: single statements over Neon's SQL-over-HTTP endpoint. A Worker opens it once per isolate
 * (src/worker.ts): building it is ~70 µs of CPU, and the statements prepared on it (src/db/index.ts
 * preparedPerHandle) are built once instead of on every request. Also sets the driver's endpoints, which are
 * process-wide.
 */
export function openNeonHttp(url: string, options: NeonOptions = {}): Db {
  configureNeonProxy(options.wsProxy, options.httpProxy);
  return drizzleHttp({ client: boundedHttp(url), schema, logger: options.logger ?? false }) as unknown as Db;
}

/**
 * One request's handle on the isolate's HTTP handle: its statements and prepared statements are the HTTP
 * handle's; its transactions run on a WebSocket Pool of its own, opened by its first transaction and ended
 * by close(), so no socket outlives the request. The local endpoints are set again for each request: they
 * are process-wide, and one isolate may serve environments with different ones (the workers tests do).
 */
export function requestHandle(http: Db, url: string, options: NeonOptions = {}): NeonHandle {
  configureNeonProxy(options.wsProxy, options.httpProxy);
  const logger = options.logger ?? false;
  const db = Object.create(http) as Db;
  let pool: Pool | undefined;
  let closed = false;
  const lazyPool = {
    connect: () => {
      // A transaction deferred past close() would open (or reuse) a pool nothing ends.
      if (closed) throw new Error("the Neon handle is closed");
      return (pool ??= openPool(url)).connect();
    },
  };
  poolTransactions(db, lazyPool, (client: PoolClient) => drizzleWs({ client, schema, logger }) as unknown as Db);
  return {
    db,
    close: async () => {
      closed = true;
      await pool?.end();
    },
  };
}

/** An HTTP handle and a request's Pool in one, for a caller that keeps neither beyond one use. */
export function openNeon(url: string, options: NeonOptions = {}): NeonHandle {
  return requestHandle(openNeonHttp(url, options), url, options);
}
