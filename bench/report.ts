// The one table `npm run bench` prints, as Markdown so it pastes into docs/performance.md unchanged.

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
