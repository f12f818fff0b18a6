// One measured run of one scenario (bench/run.ts): a warm-up, then a bounded load run, with the database
// statements the server sent and the CPU each process used during it; and the statistics of its rounds.
import { benchProcessMicros, machineMicros } from "./cpu.ts";
import { CONNECTIONS, WARMUP_SECONDS } from "./flags.ts";
import { load, percentile, pool, warmUp, type LoadRun } from "./load.ts";
import { sleep } from "./processes.ts";
import type { Scenario, Server } from "./scenarios.ts";
import { originOf, type Target } from "./target.ts";

/** CPU used during a measured run (µs), by whom: each part only where the target and the OS show it. */
export interface CpuUse {
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

export interface Measured {
  run: LoadRun;
  statements: number;
  cpu: CpuUse;
}

async function cpuNow(target: Target, on: Server): Promise<CpuUse> {
  const server = await target.cpu?.(on);
  const machine = machineMicros();
  const postgres = target.postgresCpuMicros?.();
  return {
    bench: benchProcessMicros(),
    ...(server ? { server: server.micros } : {}),
    ...(server?.mainThreadMicros === undefined ? {} : { serverMain: server.mainThreadMicros }),
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

/** The scenarios each target has already run, and so warmed up. */
const warmed = new WeakMap<Target, Set<string>>();

/** One scenario once: a warm-up, then the measured run, with the statements sent during it. */
export async function measure(target: Target, s: Scenario, seconds: number): Promise<Measured> {
  const origin = originOf(target, s.on);
  const options = { origin, connections: CONNECTIONS, requests: [s.request], expect: (st: number) => st === s.expectStatus };
  // WARMUP_SECONDS before every run; before a scenario's first run on a target, as long as warmUp takes.
  const done = warmed.get(target) ?? new Set<string>();
  warmed.set(target, done);
  if (done.has(s.key)) await load({ ...options, seconds: WARMUP_SECONDS });
  else await warmUp(options, WARMUP_SECONDS);
  done.add(s.key);
  await quiesce(target, s.on); // requests still in flight from the warm-up finish on the server
  const before = await target.statements(s.on);
  const cpuBefore = await cpuNow(target, s.on);
  const run = await load({ ...options, seconds });
  const cpuAfter = await cpuNow(target, s.on);
  await quiesce(target, s.on); // and those of the measured run, so every statement they sent is counted
  const statements = (await target.statements(s.on)) - before;
  return { run, statements, cpu: cpuSpent(cpuBefore, cpuAfter) };
}

/**
 * Waits (bounded) until a server is done with the work still in flight from the last run: it sends no more
 * statements and, where its CPU is visible, uses under a tenth of a core. Statements alone miss a backlog of
 * sign-ins still hashing (they query only once the hash is done), which would run into the next scenario.
 */
export async function quiesce(target: Target, on: Server = "app"): Promise<void> {
  const STEP_MS = 250;
  const cpu = async () => (await target.cpu?.(on))?.micros;
  let last = await target.statements(on);
  let lastCpu = await cpu();
  for (let i = 0; i < 80; i++) {
    await sleep(STEP_MS);
    const now = await target.statements(on);
    const nowCpu = await cpu();
    const idle = nowCpu === undefined || lastCpu === undefined || nowCpu - lastCpu < STEP_MS * 100;
    if (now === last && idle) return;
    last = now;
    lastCpu = nowCpu;
  }
}

export interface Stats {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  qpr: number;
  cpuUs: number | undefined;
  /** Event-loop CPU per answered request, µs (the server's main thread alone). */
  mainCpuUs: number | undefined;
}

export function stats(runs: Measured[]): Stats {
  const run = pool(runs.map((m) => m.run));
  const sorted = Array.from(Float64Array.from(run.latencies).sort());
  const statements = runs.reduce((a, m) => a + m.statements, 0);
  const sum = (f: (c: CpuUse) => number | undefined) =>
    runs.every((m) => f(m.cpu) !== undefined) ? runs.reduce((a, m) => a + f(m.cpu)!, 0) : undefined;
  const cpu = sum((c) => c.server);
  const main = sum((c) => c.serverMain);
  const answered = Math.max(1, run.responses);
  return {
    rps: run.responses / run.seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: run.errors,
    // Requests the server received (answered or cut off when the run ended): the statements they sent.
    qpr: statements / run.sent,
    // Server CPU per answered request: steadier than throughput on a shared machine, so changes show in it.
    cpuUs: cpu === undefined ? undefined : cpu / answered,
    mainCpuUs: main === undefined ? undefined : main / answered,
  };
}

export const fmtRatio = (x: number) => `${x.toFixed(2)}x`;
