// Postgres over TCP for Node (node-postgres), used when DATABASE_URL is set.
import type { Logger } from "drizzle-orm/logger";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { logLine } from "../http/logging.ts";
import { poolTimeouts, poolTransactions, schema, type Db } from "./index.ts";
import { migrateWithLock } from "./migrator.ts";

export interface PostgresHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function openPostgres(url: string, logger?: Logger): Promise<PostgresHandle> {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...poolTimeouts(url), keepAlive: true });
  // An idle client dying (server restart) must not crash the process; the next query reconnects.
  pool.on("error", (err) => logLine("error", "postgres pool error", { error: err.message }, { time: false }));
  // The pool listens for errors on idle clients only. A connection lost while a client is checked out (mid
  // query or mid transaction) is also emitted as an `error` event on that client, and with no listener
  // Node turns it into an uncaught exception that ends the process (docs/reliability.md). The failing query already
  // receives the same error and answers its request with a 5xx; this listener only keeps the process up.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const db = drizzle({ client: pool, schema, logger: logger ?? false }) as unknown as Db;
  poolTransactions(db, pool, (client: pg.PoolClient) => drizzle({ client, schema, logger: logger ?? false }) as unknown as Db);
  // Under the advisory lock `npm run db:migrate` takes: servers starting at once on a fresh database
  // (several instances, a deploy beside them) take turns instead of racing on CREATE SCHEMA / CREATE TYPE.
  try {
    await migrateWithLock(url);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { db, pool, close: () => pool.end() };
}
