// The Node server's startup, shared by the entry `npm start` runs (src/server.ts) and the bench's entry
// (bench/server.ts), which counts statements and answers a path of its own in front of the app.
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { loadConfig, type Env } from "./config.ts";
import { secureDataDir, usesDataDir } from "./db/data-dir.ts";
import type { Hasher } from "./auth/hasher.ts";
import type { QueryCounter } from "./db/index.ts";
import { logLine } from "./http/logging.ts";
import { buildNodeDeps, openDatabase } from "./node-deps.ts";
import { nodeClientIp } from "./security/node-client-ip.ts";
import { shutdownOnSignals, type ClosableServer } from "./shutdown.ts";

export type NodeFetch = (req: Request, nodeEnv: unknown) => Response | Promise<Response>;

/** What a wrapping entry may add; the plain server uses neither. */
export interface NodeServerHooks {
  /** Sees every statement the server sends. */
  queries?: QueryCounter;
  /** Wraps the fetch handler the socket is served with. */
  wrapFetch?: (fetch: NodeFetch) => NodeFetch;
  /** Replaces the password hasher (npm run bench:login-loop measures a sign-in without argon2 beside it). */
  hasher?: Hasher;
}

async function startNodeServer(env: Env, hooks: NodeServerHooks) {
  const config = loadConfig(env);
  if (usesDataDir(config)) secureDataDir(config.dataDir);
  const database = await openDatabase(config, hooks.queries);
  const built = await buildNodeDeps(config, database.db);
  const deps = hooks.hasher ? { ...built, hasher: hooks.hasher } : built;
  const app = createApp();
  const handle: NodeFetch = (req, nodeEnv) => {
    return app.fetch(req, { deps, clientIp: nodeClientIp(req, nodeEnv, config.trustedProxies) });
  };
  const server = serve({
    hostname: config.host,
    port: config.port,
    fetch: hooks.wrapFetch ? hooks.wrapFetch(handle) : handle,
  });
  logLine("info", "gatehouse listening", { url: `http://${config.host}:${config.port}`, database: database.label }, { time: false });
  shutdownOnSignals({ server: server as ClosableServer, drainDeferred: () => deps.drainDeferred(), closeDatabase: () => database.close() });
}

/** Starts the server; a startup failure (bad configuration, unreachable database) exits 1 with its message. */
export function runNodeServer(env: Env, hooks: NodeServerHooks = {}): void {
  startNodeServer(env, hooks).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
