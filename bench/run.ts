// `npm run bench`: Gatehouse measured against the limits of its own design, in one run, on loopback
// (docs/performance.md). Starts Postgres 15 when TEST_DATABASE_URL / DATABASE_URL is
// unset, seeds 100k users, starts Gatehouse on Node and the bare-Hono baseline server beside it, runs every
// scenario for a bounded time at a fixed concurrency (next to its baseline, in alternating rounds, so drift
// from other work on the machine hits a scenario and its baseline alike), and prints one table with
// pass/fail per target.
//
//   npm run bench                          Node + Postgres
//   npm run bench -- --pglite --worker     also Node + PGlite, and the worker inside `wrangler dev`
//   options: --seconds N (per run, default 3)  --rounds N (default 4)  --connections N (default 16)
//            --users N (default 100000)  --soak-seconds N (default 10)  --no-bundle
//            --only KEY,KEY (scenario keys of bench/scenarios.ts, with their baselines; no soak)
//            --profile DIR (the Node Gatehouse server writes a V8 CPU profile there)
//            --db-rtt 20ms (with --worker: round trips and p50 one request at a time at that database RTT)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { TokenService } from "../src/auth/tokens.ts";
import { workerBundle } from "./bundle.ts";
import { benchProcessMicros, machineMicros } from "./cpu.ts";
import { load, percentile, pool, type LoadRun } from "./load.ts";
import { nodeTarget } from "./node-target.ts";
import { postgresServer, type PostgresServer } from "./postgres.ts";
import { sleep, stopAll } from "./processes.ts";
import { formatTable, type Row } from "./report.ts";
import { scenarios, soakRequests, type Scenario, type ScenarioKey } from "./scenarios.ts";
import type { Argon2Limit } from "./argon2.ts";
import type { Statement, Target } from "./target.ts";
import { workerTarget } from "./worker-target.ts";
import { parseRtt, workerRtt } from "./worker-rtt.ts";

const { values: flags } = parseArgs({
  options: {
    pglite: { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "16" },
    users: { type: "string", default: "100000" },
    "soak-seconds": { type: "string", default: "10" },
    "no-bundle": { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string" },
    "db-rtt": { type: "string" },
  },
});
/** --worker --db-rtt 20ms: also the worker one request at a time with that database round-trip time (bench/worker-rtt.ts). */
const DB_RTT = flags["db-rtt"] === undefined ? undefined : parseRtt(flags["db-rtt"]);
if (DB_RTT !== undefined && !flags.worker) throw new Error("--db-rtt measures the worker: add --worker");
/** --only forged,me: just these scenarios (and their baselines); no soak. For measuring one change. */
const ONLY = flags.only?.split(",").map((k) => k.trim()) as ScenarioKey[] | undefined;
const SECONDS = Number(flags.seconds);
const ROUNDS = Number(flags.rounds);
const CONNECTIONS = Number(flags.connections);
const USERS = Number(flags.users);
const SOAK_SECONDS = Number(flags["soak-seconds"]);
const WARMUP_SECONDS = 1;
const SOAK_RUNS = 3;
const RSS_LIMIT_MIB = 256;
/** RSS may wobble with the allocator; more than this from soak run 1 to run 3 counts as growth. */
const RSS_GROWTH_TOLERANCE = 0.05;
const BUNDLE_LIMIT_KIB = 250;
for (const [name, v] of Object.entries({ SECONDS, ROUNDS, CONNECTIONS, USERS, SOAK_SECONDS })) {
  if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new Error(`bad --${name.toLowerCase()}: ${v}`);
}

const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

// The bench stops by itself: past this deadline every child is stopped and the process exits non-zero.
const DEADLINE_MS = 30 * 60_000;
const deadline = setTimeout(() => {
  log(`deadline of ${DEADLINE_MS / 60_000} min reached: stopping`);
  void stopAll().finally(() => process.exit(2));
}, DEADLINE_MS);
deadline.unref();

/** CPU used during a measured run (µs), by whom: each part only where the target and the OS show it. */
interface CpuUse {
  /** The server under test, every thread, and its event loop's thread alone. */
  server?: number;
  serverMain?: number;
  /** The Postgres server the target uses, when it runs on this machine. */
  postgres?: number;
  /** The bench process: autocannon, the load generator. */
  bench: number;
  /** The whole machine, busy and stolen by the hypervisor (Linux). */
  machineBusy?: number;
  machineSteal?: number;
}

interface Measured {
  run: LoadRun;
  statements: number;
  cpu: CpuUse;
}

async function cpuNow(target: Target, on: "app" | "baseline"): Promise<CpuUse> {
  const server = await target.cpu?.(on);
  const machine = machineMicros();
  const postgres = target.postgresCpuMicros?.();
  return {
    bench: benchProcessMicros(),
    ...(server ? { server: server.micros, serverMain: server.mainThreadMicros } : {}),
    ...(postgres === undefined ? {} : { postgres }),
    ...(machine ? { machineBusy: machine.busy, machineSteal: machine.steal } : {}),
  };
}

/** after − before, part by part; a part missing from either side is missing from the result. */
function cpuSpent(before: CpuUse, after: CpuUse): CpuUse {
  const out: CpuUse = { bench: after.bench - before.bench };
  for (const k of ["server", "serverMain", "postgres", "machineBusy", "machineSteal"] as const) {
    if (before[k] !== undefined && after[k] !== undefined) out[k] = after[k]! - before[k]!;
  }
  return out;
}

/** One scenario once: a warm-up, then the measured run, with the statements sent during it. */
async function measure(target: Target, s: Scenario, seconds: number): Promise<Measured> {
  const origin = s.on === "app" ? target.appOrigin : target.baselineOrigin;
  const options = { origin, connections: CONNECTIONS, requests: [s.request], expect: (st: number) => st === s.expectStatus };
  await load({ ...options, seconds: WARMUP_SECONDS });
  await quiesce(target, s.on); // requests still in flight from the warm-up finish on the server
  const before = await target.statements(s.on);
  const cpuBefore = await cpuNow(target, s.on);
  const run = await load({ ...options, seconds });
  const cpuAfter = await cpuNow(target, s.on);
  await quiesce(target, s.on); // and those of the measured run, so every statement they sent is counted
  const statements = (await target.statements(s.on)) - before;
  return { run, statements, cpu: cpuSpent(cpuBefore, cpuAfter) };
}

/** Waits (bounded) until the app sends no more statements: work still in flight from the last run is done. */
async function quiesce(target: Target, on: "app" | "baseline" = "app"): Promise<void> {
  let last = await target.statements(on);
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    const now = await target.statements(on);
    if (now === last) return;
    last = now;
  }
}

function stats(runs: Measured[]) {
  const run = pool(runs.map((m) => m.run));
  const sorted = Array.from(Float64Array.from(run.latencies).sort());
  const statements = runs.reduce((a, m) => a + m.statements, 0);
  const cpu = runs.every((m) => m.cpu.server !== undefined) ? runs.reduce((a, m) => a + m.cpu.server!, 0) : undefined;
  return {
    rps: run.responses / run.seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: run.errors,
    // Requests the server received (answered or cut off when the run ended): the statements they sent.
    qpr: statements / run.sent,
    // Server CPU per answered request: steadier than throughput on a shared machine, so changes show in it.
    cpuUs: cpu === undefined ? undefined : cpu / Math.max(1, run.responses),
  };
}

const fmtRatio = (x: number) => `${x.toFixed(2)}x`;

/**
 * Where the machine's CPU went per request in a CPU-bound scenario (login): the server's event loop, its
 * other threads (libuv's pool, where argon2 runs, and V8's helpers), Postgres, the load generator and
 * everything else, against what the cores could give in the same wall time. The argon2 limit assumes every
 * core hashes and nothing else runs; this shows how far from that the run was, and why.
 */
function cpuBudget(runs: Measured[], cores: number): string | undefined {
  if (!runs.every((m) => m.cpu.server !== undefined && m.cpu.serverMain !== undefined && m.cpu.machineBusy !== undefined)) return undefined;
  const responses = runs.reduce((a, m) => a + m.run.responses, 0);
  if (responses === 0) return undefined;
  const sum = (f: (c: CpuUse) => number | undefined) => runs.reduce((a, m) => a + (f(m.cpu) ?? 0), 0);
  const perReq = (micros: number) => (micros / responses / 1000).toFixed(2);
  const server = sum((c) => c.server);
  const main = sum((c) => c.serverMain);
  const postgres = runs.every((m) => m.cpu.postgres !== undefined) ? sum((c) => c.postgres) : undefined;
  const bench = sum((c) => c.bench);
  const busy = sum((c) => c.machineBusy);
  const steal = sum((c) => c.machineSteal);
  const capacity = runs.reduce((a, m) => a + m.run.seconds, 0) * 1e6 * cores;
  const rest = busy - server - (postgres ?? 0) - bench;
  const parts = [
    `server event loop ${perReq(main)}`,
    `server's other threads ${perReq(server - main)} (argon2 on libuv's pool, V8's helpers)`,
    ...(postgres === undefined ? [] : [`Postgres ${perReq(postgres)}`]),
    `load generator ${perReq(bench)}`,
    `rest of the machine ${perReq(Math.max(0, rest))}`,
  ];
  return (
    `CPU per login, ms: ${parts.join(" + ")} = ${perReq(busy)} busy, of ${perReq(capacity)} the ${cores} cores had per login ` +
    `(${((busy / capacity) * 100).toFixed(0)}% busy, ${((steal / capacity) * 100).toFixed(0)}% stolen by the host). ` +
    `The server's other threads had ${(((server - main) / capacity) * 100).toFixed(0)}% of the cores; the argon2 limit gives hashing all of them.`
  );
}

/** Does the plan find the matching users through an index, never by reading the users table? */
function indexedSearch(plan: string[]): boolean {
  return plan.some((l) => /Index Scan on users_\w*trgm_idx/.test(l)) && !plan.some((l) => /Seq Scan on users\b/.test(l));
}

/** Scenarios measured together, in alternating rounds: each baseline with what is compared to it. */
const GROUPS: ScenarioKey[][] = [
  ["verify", "forged"],
  ["verifyExpired", "expired"],
  ["verifyQuery", "me", "userById", "token"],
  ["listFirst", "listDeep", "listSearch", "listFilter"],
  ["login"],
];

/** The scenarios to run: all, or those named by --only plus the baselines they are measured against. */
function selected(all: Scenario[]): Scenario[] {
  if (!ONLY) return all;
  const needs: Partial<Record<ScenarioKey, ScenarioKey>> = {
    forged: "verify",
    expired: "verifyExpired",
    me: "verifyQuery",
    userById: "verifyQuery",
    token: "verifyQuery",
    listDeep: "listFirst",
  };
  const keys = new Set(ONLY);
  for (const k of ONLY) if (needs[k]) keys.add(needs[k]!);
  return all.filter((s) => keys.has(s.key));
}

async function benchTarget(target: Target, rows: Row[], notes: string[]): Promise<void> {
  const unknown = ONLY?.filter((k) => !GROUPS.flat().includes(k));
  if (unknown?.length) throw new Error(`unknown scenario in --only: ${unknown.join(", ")} (known: ${GROUPS.flat().join(", ")})`);
  const all = selected(scenarios(target.seeded, target.tokens));
  const results = new Map<ScenarioKey, Measured[]>();
  const limits: Argon2Limit[] = [];
  let how = "";
  // Each group (a baseline and what is measured against it) runs its rounds back to back, alternating the
  // order, so a scenario and its baseline are never more than a few seconds apart: drift from other work on
  // the machine then hits both alike.
  const grouped = new Set(GROUPS.flat());
  for (const s of all) if (!grouped.has(s.key)) throw new Error(`scenario ${s.key} belongs to no group in GROUPS`);
  for (const group of GROUPS) {
    const members = all.filter((s) => group.includes(s.key));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? members : [...members].reverse()) {
        if (s.key === "login") {
          // The login limit is measured next to each login run, under the same conditions.
          const limit = await target.argon2Limit();
          limits.push(limit);
          how = limit.how;
          log(
            `${target.label} round ${round + 1}: argon2 ${limit.hashMs.toFixed(2)} ms/hash (${limit.singleHashMs.toFixed(2)} ms alone) → limit ${limit.limitRps.toFixed(1)}/s`,
          );
        }
        const m = await measure(target, s, SECONDS);
        log(
          `${target.label} round ${round + 1}: ${s.name}: ${(m.run.responses / m.run.seconds).toFixed(1)} req/s, ${m.run.errors} errors, ${m.statements} statements / ${m.run.sent} sent${m.cpu.server === undefined ? "" : `, server CPU ${(m.cpu.server / Math.max(1, m.run.responses)).toFixed(0)} µs/req`}`,
        );
        results.set(s.key, [...(results.get(s.key) ?? []), m]);
      }
    }
  }
  const has = (key: ScenarioKey) => results.has(key);
  const r = (key: ScenarioKey) => stats(results.get(key)!);

  // The statements behind the list scenarios, captured one request at a time once the server is quiet,
  // for EXPLAIN. Only a SELECT is kept: EXPLAIN ANALYZE runs the statement it explains.
  const statements = new Map<ScenarioKey, Statement>();
  await quiesce(target);
  for (const key of ["listFirst", "listDeep", "listSearch", "listFilter"] as const) {
    const s = all.find((x) => x.key === key);
    if (!s) continue;
    await fetch(target.appOrigin + s.request.path, { headers: s.request.headers! }).then((res) => res.arrayBuffer());
    const last = await target.lastStatement();
    if (last && /^\s*select\b/i.test(last.query) && /\bfrom "users"/.test(last.query)) statements.set(key, last);
  }

  const soakRows: Row[] = [];
  if (target.rssBytes && !ONLY) await soak(target, scenarios(target.seeded, target.tokens), soakRows);
  await target.stopServers();

  const plans = new Map<ScenarioKey, string[]>();
  for (const [key, statement] of statements) plans.set(key, await target.explain(statement));

  const row = (key: ScenarioKey, extra: Partial<Row> = {}): Row => {
    const s = all.find((x) => x.key === key)!;
    return { target: target.label, scenario: s.name, ...r(key), ...extra };
  };
  const vs = (key: ScenarioKey, base: ScenarioKey, label: string) => `${fmtRatio(r(key).rps / r(base).rps)} ${label}`;
  const ratioRow = (key: ScenarioKey, base: ScenarioKey, min: number, queries: number, label: string): Row => {
    const st = r(key);
    const ratio = st.rps / r(base).rps;
    // "Exactly" n statements per request: counted over thousands of requests, the mean must be n.
    const queriesOk = Math.abs(st.qpr - queries) < 0.005;
    return row(key, {
      vs: vs(key, base, label),
      goal: `${queries === 0 ? "0 queries" : `exactly ${queries} query`}, ≥ ${Math.round(min * 100)}% of ${label}`,
      pass: ratio >= min && queriesOk && st.errors === 0,
    });
  };
  const planSummary = (key: ScenarioKey) =>
    (plans.get(key) ?? [])
      .filter((l) => /Scan|Bitmap(And|Or)/.test(l))
      .map((l) => l.trim())
      .join("; ");

  if (has("verify")) rows.push(row("verify", { vs: "baseline" }));
  if (has("forged")) rows.push(ratioRow("forged", "verify", 0.8, 0, "verify"));
  if (has("verifyExpired")) rows.push(row("verifyExpired", { vs: "baseline" }));
  if (has("expired")) rows.push(ratioRow("expired", "verifyExpired", 0.8, 0, "verify"));
  if (has("verifyQuery")) rows.push(row("verifyQuery", { vs: "baseline" }));
  if (has("me")) rows.push(ratioRow("me", "verifyQuery", 0.85, 1, "verify+query"));
  if (has("userById")) rows.push(row("userById", { vs: vs("userById", "verifyQuery", "verify+query") }));
  if (has("token")) rows.push(row("token", { vs: vs("token", "verifyQuery", "verify+query") }));
  if (has("listFirst")) rows.push(row("listFirst", { vs: "p50 reference" }));
  if (has("listDeep")) {
    const ratio = r("listDeep").p50 / r("listFirst").p50;
    rows.push(
      row("listDeep", {
        vs: `p50 ${fmtRatio(ratio)} first page`,
        goal: "p50 ≤ 1.5x first page",
        pass: ratio <= 1.5 && r("listDeep").errors === 0,
      }),
    );
  }
  if (has("listSearch")) {
    const plan = plans.get("listSearch");
    rows.push(
      row("listSearch", {
        goal: "served by an index (EXPLAIN)",
        pass: plan ? indexedSearch(plan) && r("listSearch").errors === 0 : undefined,
        ...(plan ? {} : { note: "plan not visible on this target" }),
      }),
    );
  }
  if (has("listFilter")) rows.push(row("listFilter"));
  if (has("login")) {
    const mean = (f: (l: Argon2Limit) => number) => limits.reduce((a, l) => a + f(l), 0) / limits.length;
    const limit = mean((l) => l.limitRps);
    rows.push({ target: target.label, scenario: "baseline: argon2 limit (cores / hash time)", rps: limit, vs: "baseline" });
    const ratio = r("login").rps / limit;
    rows.push(
      row("login", { vs: `${fmtRatio(ratio)} argon2 limit`, goal: "≥ 90% of argon2 limit", pass: ratio >= 0.9 && r("login").errors === 0 }),
    );
    notes.push(
      `${target.label}: argon2 limit = ${limits[0]!.cores} cores / ${mean((l) => l.hashMs).toFixed(2)} ms per hash with every core hashing ` +
        `(${mean((l) => l.singleHashMs).toFixed(2)} ms alone): ${how}, next to each login run.`,
    );
    const budget = cpuBudget(results.get("login")!, limits[0]!.cores);
    if (budget) notes.push(`${target.label}: ${budget}`);
  }
  rows.push(...soakRows);
  notes.push(`${target.label}: ${target.description}.`);
  for (const [key, plan] of plans) {
    if (plan.length) notes.push(`${target.label} plan, ${all.find((x) => x.key === key)!.name}: ${planSummary(key)}`);
  }
}

/**
 * Three consecutive runs of a mixed load, after one unmeasured run of the same load (V8 grows its heap
 * lazily: without it, run 1 would catch the heap still expanding to its working size, not a leak). The
 * server's RSS is sampled throughout each run.
 */
async function soak(target: Target, all: Scenario[], rows: Row[]): Promise<void> {
  const requests = soakRequests(all);
  const expect = (st: number) => st < 300 || st === 401; // the mix holds a forged token (401)
  await load({ origin: target.appOrigin, connections: CONNECTIONS, seconds: SOAK_SECONDS, requests, expect });
  await quiesce(target);
  const peaks: number[] = [];
  for (let i = 0; i < SOAK_RUNS; i++) {
    const before = await target.statements("app");
    let done = false;
    let peak = 0;
    const sampler = (async () => {
      // Bounded by the run: it ends when the load does, and each sample is awaited with a timeout.
      for (let n = 0; !done && n < SOAK_SECONDS * 10 + 20; n++) {
        peak = Math.max(peak, await target.rssBytes!());
        await sleep(250);
      }
    })();
    const run = await load({
      origin: target.appOrigin,
      connections: CONNECTIONS,
      seconds: SOAK_SECONDS,
      requests,
      expect,
    });
    done = true;
    await sampler;
    await quiesce(target);
    const statements = (await target.statements("app")) - before;
    peak = Math.max(peak, await target.rssBytes!());
    peaks.push(peak);
    const st = stats([{ run, statements, cpu: { bench: 0 } }]);
    const mib = peak / 2 ** 20;
    const growth = peaks.length > 1 ? peak / peaks[0]! - 1 : 0;
    const last = i === SOAK_RUNS - 1;
    rows.push({
      target: target.label,
      scenario: `RSS soak ${i + 1}/${SOAK_RUNS}: mixed load for ${SOAK_SECONDS} s${i === 0 ? " (after one unmeasured)" : ""}`,
      ...st,
      vs: `peak RSS ${mib.toFixed(0)} MiB${i > 0 ? ` (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}% vs run 1)` : ""}`,
      goal: last
        ? `≤ ${RSS_LIMIT_MIB} MiB, not growing (≤ +${RSS_GROWTH_TOLERANCE * 100}% run 1 → ${SOAK_RUNS})`
        : `≤ ${RSS_LIMIT_MIB} MiB`,
      pass: mib <= RSS_LIMIT_MIB && (!last || growth <= RSS_GROWTH_TOLERANCE) && st.errors === 0,
    });
    log(`${target.label} soak ${i + 1}: ${st.rps.toFixed(1)} req/s, peak RSS ${mib.toFixed(1)} MiB`);
  }
}

function machine(pgVersion: string | undefined): string[] {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  let nproc = String(availableParallelism());
  try {
    nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    // Not on a system with coreutils: availableParallelism is the same number.
  }
  return [
    `machine: nproc ${nproc}, ${cpu}, Node ${process.versions.node}${pgVersion ? `, PostgreSQL ${pgVersion}` : ""}`,
    `load: ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per scenario (after ${WARMUP_SECONDS} s warm-up), ${USERS} users, autocannon on loopback`,
  ];
}

async function main() {
  const started = Date.now();
  const load0 = loadavg()[0]!;
  log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const signingKeys = JSON.stringify([await TokenService.generateKey()]);
  const rows: Row[] = [];
  const notes: string[] = [];
  let pg: PostgresServer | undefined;
  try {
    pg = await postgresServer(log);
    const targets: (() => Promise<Target>)[] = [
      () =>
        nodeTarget({
          database: "postgres",
          adminUrl: pg!.adminUrl,
          postgresVersion: pg!.version,
          users: USERS,
          signingKeys,
          profileDir: flags.profile,
          log,
        }),
    ];
    if (flags.pglite) targets.push(() => nodeTarget({ database: "pglite", users: USERS, signingKeys, profileDir: flags.profile, log }));
    if (flags.worker)
      targets.push(() => workerTarget({ adminUrl: pg!.adminUrl, postgresVersion: pg!.version, users: USERS, signingKeys, log }));
    for (const make of targets) {
      const target = await make();
      try {
        await benchTarget(target, rows, notes);
      } finally {
        await target.stopServers();
        await target.dispose();
      }
    }
    if (DB_RTT !== undefined) rows.push(...(await workerRtt({ adminUrl: pg.adminUrl, rttMs: DB_RTT, signingKeys, log })));
    if (!flags["no-bundle"]) {
      log("building the worker bundle (wrangler deploy --dry-run)");
      const bundle = await workerBundle();
      rows.push({
        target: "workerd",
        scenario: "worker bundle (gzip -9)",
        vs: `${bundle.kib.toFixed(1)} KiB${bundle.hasBenchRoute ? ", contains the bench route!" : ""}`,
        goal: `≤ ${BUNDLE_LIMIT_KIB} KiB, no bench route`,
        pass: bundle.kib <= BUNDLE_LIMIT_KIB && !bundle.hasBenchRoute,
      });
    }
  } finally {
    await stopAll();
    await pg?.stop();
  }
  const minutes = (Date.now() - started) / 60_000;
  const lines = [
    ...machine(pg?.version),
    `load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; bench took ${minutes.toFixed(1)} min`,
    "",
    formatTable(rows),
    "",
    ...notes.map((n) => `- ${n}`),
  ];
  console.log(lines.join("\n"));
  const failed = rows.filter((r) => r.pass === false);
  console.log(`\n${rows.filter((r) => r.pass !== undefined).length - failed.length} targets passed, ${failed.length} failed`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
