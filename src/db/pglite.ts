// Embedded Postgres (PGlite, WASM) for Node: the zero-setup default, persisted under DATA_DIR.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { Logger } from "drizzle-orm/logger";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MIGRATIONS_FOLDER, schema, type Db } from "./index.ts";
import { OwnerOnlyNodeFS } from "./pglite-fs.ts";

export interface PgliteHandle {
  db: Db;
  client: PGlite;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) a PGlite database and applies the migrations. No dir = in memory.
 * `loadDataDir`: start a new database from a dump of another (PGlite's dumpDataDir) instead of an empty one.
 */
export async function openPglite(dir: string | undefined, logger?: Logger, loadDataDir?: Blob): Promise<PgliteHandle> {
  let path: string | undefined;
  if (dir) {
    path = resolve(dir);
    mkdirSync(dirname(path), { recursive: true });
  }
  const client = await createPglite(path, loadDataDir);
  const db = drizzle({ client, schema, logger: logger ?? false });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return { db: db as unknown as Db, client, close: () => client.close() };
}

/**
 * A PGlite with the extensions the migrations use (pg_trgm serves the users search). On disk, through the
 * owner-only filesystem (src/db/pglite-fs.ts).
 *
 * Durability, with PGlite's defaults (kept): synchronous_commit is on, so a COMMIT's WAL record is written,
 * through Emscripten's NODEFS, with a plain write(2) to the WAL file before the COMMIT returns; from then on
 * it is the kernel's, and survives the process being killed (SIGKILL, the OOM killer, a crash): the
 * next start replays the WAL (test/node/reliability/crash-durability.test.ts). `relaxedDurability` changes
 * nothing here: it only decides whether a query waits for the filesystem's syncToFs, which NodeFS leaves
 * empty. What PGlite does not do is fsync: it starts Postgres with -F (fsync off), and Emscripten's
 * fdatasync and NODEFS' fsync do nothing anyway; a kernel crash or power loss can lose recent commits.
 * Deployments that need that guarantee use a Postgres server (DATABASE_URL).
 */
export function createPglite(path?: string, loadDataDir?: Blob): Promise<PGlite> {
  return PGlite.create({
    ...(path ? { dataDir: path, fs: new OwnerOnlyNodeFS(path) } : {}),
    extensions: { pg_trgm },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
}
