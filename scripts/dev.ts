// `npm run dev`: the real worker (wrangler dev, workerd) against a local Postgres reached through the Neon
// driver, the way production reaches Neon: a loopback stand-in for Neon's SQL-over-HTTP endpoint for single
// statements and a loopback WebSocket proxy for transactions. Uses DATABASE_URL when set
// (a local Postgres); otherwise a PGlite database persisted under DATA_DIR, served over the Postgres
// wire protocol, so it works on a machine with nothing installed.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { loadConfig } from "../src/config.ts";
import { secureDataDir, usesDataDir } from "../src/db/data-dir.ts";
import { MIGRATIONS_FOLDER } from "../src/db/index.ts";
import { openNeonSession } from "../src/db/neon.ts";
import { createPglite } from "../src/db/pglite.ts";
import { logLine } from "../src/http/logging.ts";
import { signingKeys } from "../src/node-deps.ts";
import { assembleWorkerAssets } from "./console-assets.ts";
import { startNeonHttp } from "./neon-http.ts";
import { startNeonProxy } from "./neon-proxy.ts";
import { startSerialFront } from "./pglite-serial.ts";

const config = loadConfig(process.env);
const port = Number(process.env.DEV_PORT ?? 8787);
// The dev database and the generated signing keys are as secret as the server's: owner-only.
if (usesDataDir(config)) secureDataDir(config.dataDir);

async function localDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  const dir = resolve(join(config.dataDir, "dev-pglite"));
  const db = await createPglite(dir);
  // Each Worker request opens connections of its own and the server drops those past its maximum
  // ("Connection terminated unexpectedly"): room for hundreds at once, which the front below serialises.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1024 });
  await server.start();
  // PGlite is one session: the front gives it to one connection's exchange at a time.
  const front = await startSerialFront(server.getServerConn());
  return {
    url: `postgresql://postgres:postgres@${front.address}/postgres`,
    stop: async () => {
      await front.close();
      await server.stop();
      await db.close();
    },
  };
}

// wrangler.toml's [assets] directory is generated (the console's hashed files, the Swagger UI files).
assembleWorkerAssets();
const database = await localDatabase();
const proxy = await startNeonProxy();
const http = await startNeonHttp();
const neon = openNeonSession(database.url, { wsProxy: proxy.address });
await migrate(neon.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
await neon.close();

const keys = JSON.stringify(await signingKeys(config));
const accessUrl = process.env.CODER_ACCESS_URL ?? `http://127.0.0.1:${port}`;
// The secrets (the private signing keys, a database URL that may hold a password) go to wrangler in an
// owner-only file, not as --var arguments, which anyone on the machine can read in the process list.
const secrets = join(resolve(config.dataDir), "dev-worker.env");
mkdirSync(dirname(secrets), { recursive: true, mode: 0o700 });
// Single-quoted .env values are taken literally (the keys are JSON); neither value can hold a single quote.
writeFileSync(secrets, `SIGNING_KEYS='${keys}'\nDATABASE_URL='${database.url.replaceAll("'", "%27")}'\n`, { mode: 0o600 });
chmodSync(secrets, 0o600);
const wrangler = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--env-file",
    secrets,
    ...Object.entries({
      NEON_WS_PROXY: proxy.address,
      NEON_HTTP_PROXY: http.address,
      CODER_ACCESS_URL: accessUrl,
    }).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  {
    stdio: "inherit",
    // Wrangler keeps its state (config, logs, metrics consent) under XDG_*: inside the project unless the
    // caller chose a place, so a dev run never writes to the user's home.
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? resolve(".xdg/config"),
      XDG_DATA_HOME: process.env.XDG_DATA_HOME ?? resolve(".xdg/data"),
    },
  },
);
const databaseKind = config.databaseUrl ? "postgres" : "pglite (wire protocol)";
logLine(
  "info",
  "worker dev server starting",
  { url: accessUrl, database: databaseKind, proxy: proxy.address, http: http.address },
  { time: false },
);

const shutdown = async (code: number) => {
  await proxy.close();
  await http.close();
  await database.stop();
  process.exit(code);
};
wrangler.on("exit", (code) => void shutdown(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => wrangler.kill(signal));
