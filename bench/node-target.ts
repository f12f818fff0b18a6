// Gatehouse on Node (bench/server.ts, the server with its statements counted, in a child process) and the Node baseline server, both
// on the same database: a throwaway Postgres database, or a PGlite directory (each server gets its own
// copy of it, as PGlite is a single-process database).
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildNode } from "../scripts/build-node.ts";
import { openPglite } from "../src/db/pglite.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { argon2Limit } from "./argon2.ts";
import { BENCH_METRICS_PATH, type BenchMetrics } from "./metrics.ts";
import { type Peer, startPeer } from "./peer.ts";
import { nodeCommand, startChild, type Child } from "./processes.ts";
import { BENCH_LIMITS, type Server } from "./scenarios.ts";
import { postgresCpuReader } from "./postgres.ts";
import { explainSql, planLines, seedAndMint, type Statement, type Target, targetBasics } from "./target.ts";

export interface NodeTargetOptions {
  database: "postgres" | "pglite";
  /** The Postgres server's maintenance URL (database: "postgres"). */
  adminUrl?: string;
  postgresVersion?: string;
  users: number;
  signingKeys: string;
  /** Where the Gatehouse server writes a V8 CPU profile (--cpu-prof) when it stops. */
  profileDir?: string | undefined;
  /** Node flags for the Gatehouse server; by default those `npm start` passes (startFlags). */
  nodeFlags?: string[] | undefined;
  /** Start better-auth beside Gatehouse (Postgres only: the peer gets its own database on the same server). */
  peer?: boolean;
  log: (msg: string) => void;
}

/**
 * The Node flags of `npm start` (package.json's start script: its last command, after the build, between
 * `exec node` and the entry), so the bench's server runs as the real one does; nodeCommand adds the warning
 * filter itself.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  const words = pkg.scripts.start.split("&&").at(-1)!.trim().split(/\s+/);
  return words.slice(words.indexOf("node") + 1, -1).filter((w) => !w.startsWith("--disable-warning"));
}

/** The counters of a server built with bench/metrics.ts (Gatehouse's bench server, the baseline server). */
export async function metrics(origin: string): Promise<BenchMetrics> {
  const res = await fetch(origin + BENCH_METRICS_PATH, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${origin}${BENCH_METRICS_PATH}: ${res.status}`);
  return (await res.json()) as BenchMetrics;
}

/**
 * Gatehouse's bench server (bench/server.ts) on 127.0.0.1:`port`, built as `npm start` builds src/server.ts:
 * plain JavaScript, without Node's type stripper in the server. `env` carries its configuration.
 */
export function startGatehouse(options: { name: string; port: number; env: Record<string, string>; nodeFlags?: string[] }): Promise<Child> {
  const origin = `http://127.0.0.1:${options.port}`;
  return startChild({
    name: options.name,
    ...nodeCommand(relative(process.cwd(), buildNode(["bench/server.ts"])[0]!), options.nodeFlags ?? startFlags()),
    env: { ...options.env, HOST: "127.0.0.1", PORT: String(options.port) },
    url: origin,
    readyUrl: `${origin}/api/v2/buildinfo`,
    readyTimeoutMs: 60_000,
  });
}

export async function nodeTarget(options: NodeTargetOptions): Promise<Target> {
  const { log } = options;
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  const { appPort, baselinePort, appOrigin, baselineOrigin, config } = await targetBasics(options.signingKeys, BENCH_LIMITS);
  const env = { CODER_ACCESS_URL: appOrigin, SIGNING_KEYS: options.signingKeys, ...BENCH_LIMITS };

  let databaseEnv: Record<string, string>;
  let baselineDatabaseEnv: Record<string, string>;
  let explainWith: (s: Statement) => Promise<string[]>;
  let cleanup: () => Promise<void>;
  let postgresCpu: (() => number | undefined) | undefined;

  log(`seeding ${options.users} users (${options.database})`);
  let seeded, tokens;
  if (options.database === "postgres") {
    process.env.TEST_DATABASE_URL = options.adminUrl;
    const database = await createTestDatabase("bench");
    const handle = await openPostgres(database.url);
    ({ seeded, tokens } = await seedAndMint(handle.db, options.users, config, options.signingKeys));
    databaseEnv = { DATABASE_URL: database.url };
    postgresCpu = await postgresCpuReader(database.url);
    baselineDatabaseEnv = databaseEnv;
    explainWith = async (s) => planLines((await handle.pool.query(explainSql(s), s.params)).rows);
    cleanup = async () => {
      await handle.close();
      await database.drop();
    };
  } else {
    const appDir = join(dataDir, "pglite");
    const handle = await openPglite(appDir);
    ({ seeded, tokens } = await seedAndMint(handle.db, options.users, config, options.signingKeys));
    await handle.close();
    // The baseline's own copy, where the server looks for it: DATA_DIR/pglite.
    const baselineDataDir = join(dataDir, "baseline");
    cpSync(appDir, join(baselineDataDir, "pglite"), { recursive: true });
    databaseEnv = { DATA_DIR: dataDir };
    baselineDatabaseEnv = { DATA_DIR: baselineDataDir };
    explainWith = async (s) => {
      const reopened = await openPglite(appDir);
      try {
        return planLines((await reopened.client.query<Record<string, unknown>>(explainSql(s), s.params)).rows);
      } finally {
        await reopened.close();
      }
    };
    cleanup = async () => {};
  }
  log(`seeded in ${seeded.seconds.toFixed(1)} s`);

  const children: Child[] = [];
  let peer: Peer | undefined;
  try {
    children.push(
      await startGatehouse({
        name: "gatehouse (node)",
        port: appPort,
        env: { ...env, ...databaseEnv, DATA_DIR: dataDir },
        nodeFlags: [
          ...(options.nodeFlags ?? startFlags()),
          ...(options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : []),
        ],
      }),
      await startChild({
        name: "baseline (node)",
        ...nodeCommand("bench/baseline-server.ts"),
        env: { ...env, ...baselineDatabaseEnv, PORT: String(baselinePort) },
        url: baselineOrigin,
        readyUrl: baselineOrigin + BENCH_METRICS_PATH,
        readyTimeoutMs: 60_000,
      }),
    );
    if (options.peer && options.database === "postgres") peer = await startPeer(log);
  } catch (err) {
    await Promise.allSettled(children.map((c) => c.stop()));
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  const database = options.database === "postgres" ? `postgres ${options.postgresVersion}` : "pglite";
  const metricsOf = (on: Server) => {
    if (on === "app") return metrics(appOrigin);
    if (on === "baseline") return metrics(baselineOrigin);
    if (!peer) throw new Error("no peer on this target");
    return peer.metrics(on);
  };
  return {
    label: `node/${options.database === "postgres" ? "pg" : "pglite"}`,
    description: `Node ${process.versions.node} + ${database}`,
    appOrigin,
    baselineOrigin,
    seeded,
    tokens,
    ...(peer ? { peer } : {}),
    statements: async (on) => (await metricsOf(on)).queries,
    lastStatement: async () => (await metrics(appOrigin)).last,
    ...(postgresCpu ? { postgresCpuMicros: postgresCpu } : {}),
    rssBytes: async (on = "app") => (await metricsOf(on)).rssBytes,
    cpu: async (on) => {
      const m = await metricsOf(on);
      return { micros: m.cpuMicros, mainThreadMicros: m.mainThreadCpuMicros };
    },
    argon2Limit: async () => ({
      ...(await argon2Limit()),
      how: "@node-rs/argon2 verify in the bench process, one lane per core for 1.5 s",
    }),
    stopServers: async () => {
      await Promise.allSettled([...children.map((c) => c.stop()), peer?.stop()]);
    },
    explain: explainWith,
    dispose: async () => {
      await peer?.dispose();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
