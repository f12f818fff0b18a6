// Gatehouse's deploy bundle in workerd (bench/workerd.ts) and the workerd baseline worker beside
// it, each reaching the same throwaway Postgres database the production way: single statements through its
// own stand-in for Neon's SQL-over-HTTP endpoint (scripts/neon-http.ts), transactions through its own
// metering WebSocket proxy (bench/wire-proxy.ts); the statements each one sends are counted on both.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgres } from "../src/db/postgres.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { processTreeMicros } from "./cpu.ts";
import type { Child } from "./processes.ts";
import { BENCH_LIMITS } from "./scenarios.ts";
import { explainSql, planLines, seedAndMint, type Target, targetBasics } from "./target.ts";
import { startWireProxy, type WireProxy } from "./wire-proxy.ts";
import { startWorkerd } from "./workerd.ts";
import { startNeonHttp, type NeonHttp } from "../scripts/neon-http.ts";

export interface WorkerTargetOptions {
  adminUrl: string;
  postgresVersion: string;
  users: number;
  signingKeys: string;
  log: (msg: string) => void;
}

const ARGON2_RUNS = 10;

export async function workerTarget(options: WorkerTargetOptions): Promise<Target> {
  const { log } = options;
  const stateDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-wrangler-"));
  const { appPort, baselinePort, appOrigin, baselineOrigin, config } = await targetBasics(options.signingKeys);

  process.env.TEST_DATABASE_URL = options.adminUrl;
  const database = await createTestDatabase("bench_worker");
  // Migrated and seeded over TCP: the same migrations the worker's own tooling applies.
  const handle = await openPostgres(database.url);
  log(`seeding ${options.users} users (postgres, for the worker)`);
  const { seeded, tokens } = await seedAndMint(handle.db, options.users, config, options.signingKeys);

  const proxies: WireProxy[] = [];
  const https: NeonHttp[] = [];
  const children: Child[] = [];
  const serve = (name: string, port: number, proxy: WireProxy, http: NeonHttp, script: string[]) =>
    startWorkerd({
      name,
      port,
      script,
      stateDir,
      vars: {
        DATABASE_URL: database.url,
        NEON_WS_PROXY: proxy.address,
        NEON_HTTP_PROXY: http.address,
        SIGNING_KEYS: options.signingKeys,
        CODER_ACCESS_URL: appOrigin,
        ...BENCH_LIMITS,
      },
    });
  const stopServers = async () => {
    await Promise.allSettled(children.map((c) => c.stop()));
    await Promise.allSettled([...proxies, ...https].map((p) => p.close()));
  };
  try {
    proxies.push(await startWireProxy(), await startWireProxy());
    https.push(await startNeonHttp(), await startNeonHttp());
    log("starting workerd (gatehouse worker and baseline worker)");
    children.push(await serve("gatehouse-worker", appPort, proxies[0]!, https[0]!, []));
    children.push(
      await serve("baseline-worker", baselinePort, proxies[1]!, https[1]!, [
        "bench/baseline-worker.ts",
        "--name",
        "gatehouse-bench-baseline",
      ]),
    );
  } catch (err) {
    await stopServers();
    await handle.close();
    await database.drop();
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const [appProxy, baselineProxy] = proxies as [WireProxy, WireProxy];
  const [appHttp, baselineHttp] = https as [NeonHttp, NeonHttp];
  const [appWorkerd, baselineWorkerd] = children as [Child, Child];

  return {
    label: "workerd/pg",
    description: `the worker's deploy bundle in workerd, Neon driver → HTTP stand-in (statements) and metering WebSocket proxy (transactions) → PostgreSQL ${options.postgresVersion}; queries counted on both`,
    appOrigin,
    baselineOrigin,
    seeded,
    tokens,
    statements: async (on) =>
      on === "app" ? appProxy.statements() + appHttp.stats().statements : baselineProxy.statements() + baselineHttp.stats().statements,
    // The workerd process, every thread: the worker's own CPU per request, apart from the stand-ins' and Postgres'.
    async cpu(on) {
      const micros = processTreeMicros(String((on === "app" ? appWorkerd : baselineWorkerd).pid));
      if (micros === undefined) throw new Error(`no CPU figure for the ${on} worker`);
      return { micros };
    },
    // Reads, the statements EXPLAINed, go over HTTP.
    lastStatement: async () => appHttp.last() ?? appProxy.last(),
    async argon2Limit() {
      const res = await fetch(`${baselineOrigin}/argon2?n=${ARGON2_RUNS}`, { signal: AbortSignal.timeout(60_000) });
      const { hashMs } = (await res.json()) as { hashMs: number };
      // One isolate runs one request at a time on one thread: the worker's limit is one core's worth.
      return {
        cores: 1,
        hashMs,
        singleHashMs: hashMs,
        limitRps: 1000 / hashMs,
        how: `WASM argon2 verify inside workerd (one isolate, one thread), mean of ${ARGON2_RUNS}`,
      };
    },
    stopServers,
    explain: async (s) => planLines((await handle.pool.query(explainSql(s), s.params)).rows),
    async dispose() {
      await handle.close();
      await database.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
