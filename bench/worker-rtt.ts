// `npm run bench -- --worker --db-rtt 20ms`: the worker as users far from their database feel it. The worker's
// deploy bundle runs in workerd (bench/workerd.ts) against a throwaway Postgres database reached the
// production way, through loopback stand-ins for Neon's two front doors (scripts/neon-http.ts for SQL over
// HTTP, scripts/neon-proxy.ts for WebSockets), each adding the given round-trip time: one per HTTP request;
// per message exchange on a WebSocket, plus two for opening one (TCP and upgrade; the TLS handshake a real
// deployment adds is not modelled, so a WebSocket here costs less than it would). Requests are sent one at a
// time, so the latency is the request's own; the proxies count the round trips each one caused, deferred work
// included (requests to the SQL-over-HTTP stand-in sent together as one). Target: GET /users/me in 1 database
// round trip, p50 ≤ 1.3 × RTT + 10 ms. Beside it, the bare-Hono baseline worker (bench/baseline-worker.ts)
// verifying a token and running the same actor query over the same proxies: the floor of one round trip inside
// workerd on this machine, Gatehouse aside.
//
// BENCH_WORKER_CONFIG=<path to another checkout's wrangler.toml> measures that checkout's worker with the
// same proxies and load (how the figures before a change are taken); this file always comes from here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startNeonHttp } from "../scripts/neon-http.ts";
import { startNeonProxy } from "../scripts/neon-proxy.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { TokenService } from "../src/auth/tokens.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { percentile } from "./load.ts";
import { postgresServer } from "./postgres.ts";
import { type Child, freePort, sleep } from "./processes.ts";
import { startWorkerd } from "./workerd.ts";
import { formatTable, type Row } from "./report.ts";
import { BENCH_LIMITS } from "./scenarios.ts";

/** Requests each scenario sends, unmeasured, before its measured ones. */
const WARMUP_REQUESTS = 3;

export interface WorkerRttOptions {
  adminUrl: string;
  rttMs: number;
  signingKeys: string;
  log: (msg: string) => void;
}

/** "20ms", "0.02s" or "20" (milliseconds). */
export function parseRtt(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (m[2] === "s" ? 1000 : 1) : Number.NaN;
  if (!(ms >= 0 && ms <= 1000)) throw new Error(`bad --db-rtt: ${text} (e.g. 20ms)`);
  return ms;
}

const OWNER = { email: "rtt-owner@example.com", username: "rtt-owner", password: "Bench-Rtt-Passw0rd!" };

interface Sample {
  name: string;
  latencies: number[];
  errors: number;
  /**
   * Per request: the database round trips waited for in sequence (HTTP requests sent together count once;
   * every WebSocket round trip counts), the HTTP requests, the WebSocket connections.
   */
  roundTrips: number;
  http: number;
  ws: number;
}

export async function workerRtt(options: WorkerRttOptions): Promise<Row[]> {
  const { rttMs, log } = options;
  const stateDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-rtt-"));
  process.env.TEST_DATABASE_URL = options.adminUrl;
  const database = await createTestDatabase("bench_rtt");
  // Migrated over TCP with the project's own migrator (openPostgres migrates under its advisory lock).
  await (await openPostgres(database.url)).close();
  const http = await startNeonHttp({ rttMs });
  const ws = await startNeonProxy({ rttMs });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = process.env.BENCH_WORKER_CONFIG;
  const children: Child[] = [];
  try {
    log(`starting workerd with ${rttMs} ms injected database round-trip time${config ? ` (worker of ${config})` : ""}`);
    const serve = async (name: string, port: number, script: string[]) => {
      const child = await startWorkerd({
        name,
        port,
        script,
        stateDir,
        vars: {
          DATABASE_URL: database.url,
          NEON_WS_PROXY: ws.address,
          NEON_HTTP_PROXY: http.address,
          SIGNING_KEYS: options.signingKeys,
          // The baseline checks the tokens Gatehouse issues, whose issuer and audience are Gatehouse's URL.
          CODER_ACCESS_URL: origin,
          ...BENCH_LIMITS,
        },
        readyPath: "/healthz",
      });
      children.push(child);
      return child;
    };
    await serve("rtt-worker", port, config ? ["--config", config] : []);
    // The bare-Hono baseline worker (bench/baseline-worker.ts, this checkout's database handling): what one
    // database round trip costs inside workerd on this machine, with nothing of Gatehouse around it.
    const baselineOrigin = (
      await serve("rtt-baseline", await freePort(), ["bench/baseline-worker.ts", "--name", "gatehouse-bench-rtt-baseline"])
    ).url;

    const send = async (path: string, init: RequestInit & { json?: unknown; token?: string; base?: string } = {}) => {
      const { json, token, base = origin, ...rest } = init;
      const headers: Record<string, string> = {};
      if (token) headers["Coder-Session-Token"] = token;
      if (json !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(base + path, {
        ...rest,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, body: await res.text() };
    };
    const created = await send("/api/v2/users/first", { method: "POST", json: OWNER });
    if (created.status !== 201) throw new Error(`first user: ${created.status} ${created.body}`);
    const signIn = () => send("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
    const sessionOf = (signedIn: { body: string }) => (JSON.parse(signedIn.body) as { session_token: string }).session_token;
    const token = sessionOf(await signIn());

    const counts = () => ({
      http: http.stats().requests,
      ws: ws.stats().connections,
      // Requests sent together (a sign-in's count and account read) wait for one round trip, not two.
      trips: http.stats().rounds + ws.stats().roundTrips,
    });
    /** Until the proxies see nothing more for a while: work deferred past the last response is done. */
    const quiet = async () => {
      let last = JSON.stringify(counts());
      for (let i = 0; i < 40; i++) {
        await sleep(4 * rttMs + 150);
        const now = JSON.stringify(counts());
        if (now === last) return;
        last = now;
      }
    };
    let n = 0;
    const measure = async (name: string, runs: number, request: () => Promise<{ status: number }>, ok: number): Promise<Sample> => {
      for (let i = 0; i < WARMUP_REQUESTS; i++) await request(); // the isolate's setup, JIT, pooled connections
      await quiet();
      const before = counts();
      const latencies: number[] = [];
      let errors = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const { status } = await request();
        latencies.push(performance.now() - t0);
        if (status !== ok) errors++;
      }
      await quiet();
      const after = counts();
      const per = (k: keyof typeof before) => (after[k] - before[k]) / runs;
      log(
        `${name}: p50 ${percentile(
          latencies.toSorted((a, b) => a - b),
          0.5,
        ).toFixed(1)} ms, ${per("trips").toFixed(2)} round trips/request`,
      );
      return { name, latencies, errors, roundTrips: per("trips"), http: per("http"), ws: per("ws") };
    };

    // Sessions to sign out: each signed in and used once beforehand (its first use stamps it), so what a
    // sign-out is counted for is its own work.
    const signOuts = 15;
    const sessions: string[] = [];
    for (let i = 0; i < signOuts + WARMUP_REQUESTS; i++) {
      const session = sessionOf(await signIn());
      await send("/api/v2/users/me", { token: session });
      sessions.push(session);
    }

    const samples = [
      await measure("GET /healthz (no database)", 30, () => send("/healthz"), 200),
      await measure(
        "baseline: jose verify + actor query (bare worker)",
        40,
        () => send("/verify-query", { token, base: baselineOrigin }),
        200,
      ),
      await measure("GET /users/me", 40, () => send("/api/v2/users/me", { token }), 200),
      // The dashboard asks for it on every page; its read goes beside the actor query (src/users/target-reads.ts).
      await measure("GET /users/me/appearance", 30, () => send("/api/v2/users/me/appearance", { token }), 200),
      await measure("sign-in (POST /users/login)", 15, signIn, 201),
      await measure(
        "token creation (POST /users/me/keys/tokens)",
        20,
        () => send("/api/v2/users/me/keys/tokens", { method: "POST", token, json: { token_name: `rtt-${n++}` } }),
        201,
      ),
      await measure(
        "sign-out (POST /users/logout)",
        signOuts,
        () => send("/api/v2/users/logout", { method: "POST", token: sessions.pop()! }),
        200,
      ),
    ];
    const limit = 1.3 * rttMs + 10;
    const label = `workerd +${rttMs} ms RTT`;
    const floor = samples.find((s) => s.name.startsWith("baseline"))!;
    const p50Of = (s: Sample) =>
      percentile(
        s.latencies.toSorted((a, b) => a - b),
        0.5,
      );
    return samples.map((s): Row => {
      const sorted = s.latencies.toSorted((a, b) => a - b);
      const p50 = percentile(sorted, 0.5);
      const row: Row = {
        target: label,
        scenario: `${s.name}, one at a time`,
        p50,
        p99: percentile(sorted, 0.99),
        errors: s.errors,
        vs: `${s.roundTrips.toFixed(2)} DB round trips/req in sequence (${s.http.toFixed(2)} HTTP requests, ${s.ws.toFixed(2)} WebSocket opened)`,
      };
      if (s.name !== "GET /users/me") return row;
      return {
        ...row,
        vs: `${row.vs}; p50 ${(p50 / p50Of(floor)).toFixed(2)}x the bare worker's`,
        goal: `1 DB round trip, p50 ≤ 1.3 × RTT + 10 = ${limit.toFixed(0)} ms`,
        pass: Math.abs(s.roundTrips - 1) < 0.005 && Math.abs(s.http - 1) < 0.005 && p50 <= limit && s.errors === 0,
      };
    });
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    await ws.close();
    await http.close();
    await database.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// Run on its own: `node bench/worker-rtt.ts --db-rtt 20ms` prints just these rows.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { "db-rtt": { type: "string", default: "20ms" } } });
  const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
  const pg = await postgresServer(log);
  try {
    const signingKeys = JSON.stringify([await TokenService.generateKey()]);
    console.log(formatTable(await workerRtt({ adminUrl: pg.adminUrl, rttMs: parseRtt(values["db-rtt"]!), signingKeys, log })));
  } finally {
    await pg.stop();
  }
}
