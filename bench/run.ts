// `npm run bench`: Gatehouse measured against the limits of its own design and against its peer, in one
// run, on loopback (docs/performance.md). Starts Postgres 15 when TEST_DATABASE_URL / DATABASE_URL is
// unset, seeds 100k users, starts Gatehouse on Node, the bare-Hono baseline server and better-auth beside
// it, runs every scenario for a bounded time at a fixed concurrency (next to what it is compared with, in
// alternating rounds: bench/rounds.ts), measures memory (bench/memory.ts) and revocation lag
// (bench/revocation.ts), and prints one table with pass/fail per target (bench/targets.ts).
//
//   npm run bench                          Node + Postgres, better-auth beside it
//   npm run bench -- --pglite --worker     also Node + PGlite, and the worker in workerd
//   npm run bench -- --only forged,login   one scenario with its baseline and peer (options: bench/flags.ts)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { TokenService } from "../src/auth/tokens.ts";
import { workerBundle } from "./bundle.ts";
import { armDeadline, CONNECTIONS, flags, log, ONLY, ROUNDS, SECONDS, USERS, WARMUP_SECONDS, wants } from "./flags.ts";
import { FIRST_WARMUP_MAX_SECONDS, FIRST_WARMUP_REQUESTS } from "./load.ts";
import { idleRss, type IdleServer, RSS_IDLE_LIMIT_MIB, RSS_LOADED_LIMIT_MIB, soak } from "./memory.ts";
import { quiesce } from "./measure.ts";
import { nodeTarget } from "./node-target.ts";
import { peerHashMs } from "./peer-auth.ts";
import { postgresServer, type PostgresServer } from "./postgres.ts";
import { stopAll } from "./processes.ts";
import { formatTable, type Row } from "./report.ts";
import { describeLag, gatehouseLag, type Lag, peerLag } from "./revocation.ts";
import { runRounds, selected } from "./rounds.ts";
import { peerSoakRequests, type ScenarioKey, scenarios, soakRequests } from "./scenarios.ts";
import type { Statement, Target } from "./target.ts";
import { targetRows } from "./targets.ts";
import { parseRtt, workerRtt } from "./worker-rtt.ts";
import { workerTarget } from "./worker-target.ts";

const BUNDLE_LIMIT_KIB = 250;
/** --worker --db-rtt 20ms: also the worker one request at a time with that database round-trip time (bench/worker-rtt.ts). */
const DB_RTT = flags["db-rtt"] === undefined ? undefined : parseRtt(flags["db-rtt"]);
if (DB_RTT !== undefined && !flags.worker) throw new Error("--db-rtt measures the worker: add --worker");

armDeadline();

async function benchTarget(target: Target, rows: Row[], notes: string[]): Promise<void> {
  const every = scenarios(target.seeded, target.tokens, target.peer);
  const all = selected(every);
  const memory = Boolean(target.rssBytes) && wants("memory");
  const servers: IdleServer[] = [{ on: "app", label: "Gatehouse", requests: soakRequests(every), limitMib: RSS_IDLE_LIMIT_MIB }];
  if (target.peer) servers.push({ on: "peer", label: "better-auth (database sessions)", requests: peerSoakRequests(every) });
  // Idle first, while the servers have served nothing but their warm-up.
  if (memory) rows.push(...(await idleRss(target, servers)));
  // The cookie cache's lag takes its maxAge to measure: polled (once a second) beside everything else.
  const cacheLag = target.peer && wants("revocation") ? peerLag(target.peer, "peerCache") : undefined;

  const { results, limits, how } = await runRounds(target, all);

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
  if (memory) {
    for (const s of servers)
      soakRows.push(...(await soak(target, { ...s, ...(s.on === "app" ? { limitMib: RSS_LOADED_LIMIT_MIB } : {}) })));
  }
  const lags: { who: string; lag: Lag; goal?: boolean }[] = [];
  if (wants("revocation")) {
    lags.push({ who: "Gatehouse: sign out, then GET /users/me with the old token", lag: await gatehouseLag(target.appOrigin), goal: true });
    if (target.peer) {
      lags.push({ who: "better-auth, database sessions: sign out, then the session check", lag: await peerLag(target.peer, "peer") });
      if (cacheLag) log(`${target.label}: waiting for the cookie cache's revocation lag (up to its maxAge)`);
      if (cacheLag) lags.push({ who: "better-auth, cookie cache: sign out, then the session check", lag: await cacheLag });
    }
  }
  const hashMs = target.peer && all.some((s) => s.key === "peerLogin") ? await peerHashMs() : undefined;
  await target.stopServers();

  const plans = new Map<ScenarioKey, string[]>();
  for (const [key, statement] of statements) plans.set(key, await target.explain(statement));

  const out = targetRows({ target, all, results, limits, how, plans, peerHashMs: hashMs });
  rows.push(...out.rows, ...soakRows);
  for (const { who, lag, goal } of lags) {
    rows.push({
      target: target.label,
      scenario: `revocation lag: ${who}`,
      vs: describeLag(lag),
      ...(goal ? { goal: "0 s", pass: lag.honoured === 0 } : {}),
    });
  }
  notes.push(...out.notes, `${target.label}: ${target.description}.`);
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
    `load: ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per scenario (each after ${WARMUP_SECONDS} s of warm-up, the first after ${FIRST_WARMUP_REQUESTS} requests or ${FIRST_WARMUP_MAX_SECONDS} s), ${USERS} users, autocannon on loopback`,
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
          nodeFlags: flags["node-flags"]?.split(/\s+/).filter(Boolean),
          peer: !flags["no-peer"],
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
    // The Worker path at an injected database round-trip time: rows of its own, after the targets' (bench/worker-rtt.ts).
    if (DB_RTT !== undefined) rows.push(...(await workerRtt({ adminUrl: pg.adminUrl, rttMs: DB_RTT, signingKeys, log })));
    if (!flags["no-bundle"] && !ONLY) {
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
