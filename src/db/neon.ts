// Postgres through Neon's serverless driver (WebSocket), for Workers. A Pool lives for one request only:
// Workers forbid reusing I/O objects across requests.
import { Pool, neonConfig, type PoolClient } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm/logger";
import { drizzle } from "drizzle-orm/neon-serverless";
import { logLine } from "../http/logging.ts";
import { poolTimeouts, poolTransactions, schema, type Db } from "./index.ts";

export interface NeonOptions {
  /**
   * A local WebSocket-to-TCP proxy ("127.0.0.1:4444") speaking Neon's wsproxy protocol, for running the
   * worker against a local Postgres. Unset in production, where Neon's own proxy is used.
   */
  wsProxy?: string | undefined;
  logger?: Logger | undefined;
}

export function configureNeonProxy(wsProxy: string | undefined): void {
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

export interface NeonHandle {
  db: Db;
  close(): Promise<void>;
}

export function openNeon(url: string, options: NeonOptions = {}): NeonHandle {
  configureNeonProxy(options.wsProxy);
  const pool = new Pool({ connectionString: url, ...poolTimeouts(url) });
  // A socket that dies after the response is sent must not surface as an unhandled error.
  pool.on("error", (err: Error) => logLine("error", "neon pool error", { error: err.message }, { time: false }));
  const db = drizzle({ client: pool, schema, logger: options.logger ?? false }) as unknown as Db;
  poolTransactions(db, pool, (client: PoolClient) => drizzle({ client, schema, logger: options.logger ?? false }) as unknown as Db);
  return { db, close: () => pool.end() };
}
