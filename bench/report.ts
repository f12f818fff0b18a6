// The one table `npm run bench` prints, as Markdown so it pastes into docs/performance.md unchanged.
import type { CpuUse } from "./measure.ts";

export interface Row {
  target: string;
  scenario: string;
  rps?: number;
  p50?: number;
  p99?: number;
  errors?: number;
  /** Database statements per request, as counted by the server (or on the wire). */
  qpr?: number;
  /** Server CPU time (all threads) per answered request, µs. */
  cpuUs?: number | undefined;
  /** The ratio to this row's baseline, or the measured value of a non-throughput target. */
  vs?: string;
  goal?: string;
  /** undefined: no target on this row. */
  pass?: boolean | undefined;
  note?: string;
}

const num = (x: number | undefined, digits: number) => (x === undefined || Number.isNaN(x) ? "" : x.toFixed(digits));
const rate = (x: number | undefined) => (x === undefined ? "" : x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function formatTable(rows: Row[]): string {
  const header = [
    "runtime/db",
    "scenario",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "queries/req",
    "CPU µs/req",
    "vs baseline",
    "target",
    "result",
  ];
  const body = rows.map((r) => [
    r.target,
    r.scenario,
    rate(r.rps),
    num(r.p50, 2),
    num(r.p99, 2),
    r.errors === undefined ? "" : String(r.errors),
    num(r.qpr, 2),
    num(r.cpuUs, 0),
    r.vs ?? "",
    r.goal ?? "",
    r.pass === undefined ? (r.note ?? "") : r.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i >= 2 && i <= 7 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/**
 * Where the machine's CPU went per request in a CPU-bound scenario (login): the server's event loop, its
 * other threads (libuv's pool, where argon2 runs, and V8's helpers), Postgres, the load generator and
 * everything else, against what the cores could give in the same wall time. The argon2 limit assumes every
 * core hashes and nothing else runs; this shows how far from that the run was, and why.
 */
export function cpuBudget(runs: { cpu: CpuUse; run: { responses: number; seconds: number } }[], cores: number): string | undefined {
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
