// Node entry: config from the environment, PGlite under DATA_DIR (or Postgres at DATABASE_URL),
// migrations applied, then the app served on HOST:PORT.
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { withBenchMetrics } from "./bench-metrics.ts";
import { loadConfig, type Env } from "./config.ts";
import { secureDataDir, usesDataDir } from "./db/data-dir.ts";
import { QueryCounter } from "./db/index.ts";
import { buildNodeDeps, openDatabase } from "./node-deps.ts";
import { nodeClientIp } from "./security/node-client-ip.ts";
import { shutdownOnSignals, type ClosableServer } from "./shutdown.ts";

async function main(env: Env) {
  const config = loadConfig(env);
  // `npm run bench` only: count statements and expose the count (src/bench-metrics.ts). Off by default.
  const benchQueries = env.BENCH_METRICS === "1" ? new QueryCounter() : undefined;
  if (usesDataDir(config)) secureDataDir(config.dataDir);
  const database = await openDatabase(config, benchQueries);
  const deps = await buildNodeDeps(config, database.db);
  const app = createApp();
  const handle = (req: Request, nodeEnv: unknown) => {
    return app.fetch(req, { deps, clientIp: nodeClientIp(req, nodeEnv, config.trustedProxies) });
  };
  const server = serve({
    hostname: config.host,
    port: config.port,
    fetch: benchQueries ? withBenchMetrics(handle, benchQueries) : handle,
  });
  console.log(JSON.stringify({ level: "info", msg: "gatehouse listening", url: `http://${config.host}:${config.port}`, database: database.label }));
  shutdownOnSignals({ server: server as ClosableServer, drainDeferred: () => deps.drainDeferred(), closeDatabase: () => database.close() });
}

main(process.env).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
