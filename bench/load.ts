// One bounded load run with autocannon: a fixed number of connections for a fixed time against one
// loopback URL. Every response's status and latency is recorded here (autocannon's own histogram cannot
// be merged across runs, and the bench pools several runs of a scenario), so percentiles are exact.
import autocannon from "autocannon";

export interface LoadRequest {
  method?: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Replaces `[<id>]` in the body with a unique id per request (unique token names). */
  uniqueIds?: boolean;
}

export interface LoadRun {
  /** Responses received. */
  responses: number;
  /** Requests written, answered or not (the server may still finish those in flight). */
  sent: number;
  seconds: number;
  /** Latencies in ms, one per response (capped at MAX_SAMPLES, which no bounded run here reaches). */
  latencies: number[];
  /** Responses with an unexpected status, plus connection errors and timeouts. */
  errors: number;
  statuses: Record<number, number>;
}

const MAX_SAMPLES = 2_000_000;
/** A response slower than this is a timeout, counted as an error. */
const TIMEOUT_SECONDS = 10;

export async function load(options: {
  origin: string;
  connections: number;
  seconds: number;
  requests: LoadRequest[];
  expect: (status: number) => boolean;
  /** Requests per second across all connections; unset, each connection sends as fast as it is answered. */
  rate?: number;
}): Promise<LoadRun> {
  const [first, ...rest] = options.requests;
  if (!first) throw new Error("load: no request");
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let unexpected = 0;
  const instance = autocannon({
    url: options.origin + first.path,
    connections: options.connections,
    duration: options.seconds,
    timeout: TIMEOUT_SECONDS,
    idReplacement: options.requests.some((r) => r.uniqueIds),
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    // A single request is sent as the default one; several are cycled through by each connection.
    ...(rest.length === 0
      ? { method: first.method ?? "GET", headers: first.headers ?? {}, ...(first.body === undefined ? {} : { body: first.body }) }
      : { requests: options.requests.map(({ uniqueIds: _, ...r }) => ({ method: "GET", ...r })) }),
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (!options.expect(status)) unexpected++;
    if (latencies.length < MAX_SAMPLES) latencies.push(ms);
  });
  const result = await instance;
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  return { responses, sent: result.requests.sent, seconds: result.duration, latencies, errors: unexpected + result.errors, statuses };
}

/**
 * A server's first runs of a scenario are warmed up until it has answered this many requests (at most
 * FIRST_WARMUP_MAX_SECONDS), so that V8 has compiled the path before it is measured whatever the scenario's
 * rate: a second is thousands of token checks but about 120 sign-ins, and the event loop's CPU per sign-in
 * kept falling for 20–25 s after start-up (docs/performance.md).
 */
export const FIRST_WARMUP_REQUESTS = 3000;
export const FIRST_WARMUP_MAX_SECONDS = 30;

/** Load in runs of `seconds` until FIRST_WARMUP_REQUESTS are answered or FIRST_WARMUP_MAX_SECONDS have passed; the count. */
export async function warmUp(options: Omit<Parameters<typeof load>[0], "seconds">, seconds: number): Promise<number> {
  const started = performance.now();
  let answered = 0;
  do answered += (await load({ ...options, seconds })).responses;
  while (answered < FIRST_WARMUP_REQUESTS && performance.now() - started < FIRST_WARMUP_MAX_SECONDS * 1000);
  return answered;
}

/** Several runs of one scenario as one: counts add up, latencies are pooled. */
export function pool(runs: LoadRun[]): LoadRun {
  const out: LoadRun = { responses: 0, sent: 0, seconds: 0, latencies: [], errors: 0, statuses: {} };
  for (const r of runs) {
    out.responses += r.responses;
    out.sent += r.sent;
    out.seconds += r.seconds;
    out.errors += r.errors;
    for (const ms of r.latencies) out.latencies.push(ms);
    for (const [s, n] of Object.entries(r.statuses)) out.statuses[Number(s)] = (out.statuses[Number(s)] ?? 0) + n;
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
