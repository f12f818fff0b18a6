// Postgres over TCP for Node (node-postgres), used when DATABASE_URL is set.
import type { Logger } from "drizzle-orm/logger";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { MIGRATIONS_FOLDER, schema, type Db } from "./index.ts";

export interface PostgresHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function openPostgres(url: string, logger?: Logger): Promise<PostgresHandle> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client dying (server restart) must not crash the process; the next query reconnects.
  pool.on("error", (err) => console.error(JSON.stringify({ level: "error", msg: "postgres pool error", error: err.message })));
  const db = drizzle({ client: pool, schema, logger: logger ?? false });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { db: db as unknown as Db, pool, close: () => pool.end() };
}
