// Bench-only instrumentation for the Node server (`npm run bench`): the bench's server entry (bench/server.ts)
// counts every statement it sends and answers GET /__bench/queries with that count, the last statement and its
// RSS and CPU time, so the bench measures database queries per request instead of assuming them. Nothing in
// src/ imports this file: neither `npm start` nor the worker bundle carries it.
import { serve } from "@hono/node-server";
import type { QueryCounter } from "../src/db/index.ts";

export const BENCH_METRICS_PATH = "/__bench/queries";

export interface BenchMetrics {
  /** Statements sent since the process started (migrations included: readers take differences). */
  queries: number;
  /** The last statement sent, with its parameters, for EXPLAIN. */
  last: { query: string; params: unknown[] } | undefined;
  rssBytes: number;
  /** CPU time the process has used (user + system, every thread), in microseconds. */
  cpuMicros: number;
  /** The part of it spent on the event loop's own thread; the rest is libuv's pool (argon2, WebCrypto) and V8's helpers. */
  mainThreadCpuMicros: number;
}

/** Wraps a fetch handler so that BENCH_METRICS_PATH answers with the counters; every other request passes through. */
export function withBenchMetrics<A extends unknown[]>(
  fetch: (req: Request, ...rest: A) => Response | Promise<Response>,
  counter: QueryCounter,
): (req: Request, ...rest: A) => Response | Promise<Response> {
  return function benchMetrics(req, ...rest) {
    // A suffix test, not a URL parse: the check runs on every request of a bench run.
    if (req.method === "GET" && req.url.endsWith(BENCH_METRICS_PATH)) {
      const cpu = process.cpuUsage();
      const main = process.threadCpuUsage();
      const body: BenchMetrics = {
        queries: counter.count,
        last: counter.last,
        rssBytes: process.memoryUsage.rss(),
        cpuMicros: cpu.user + cpu.system,
        mainThreadCpuMicros: main.user + main.system,
      };
      return Response.json(body);
    }
    return fetch(req, ...rest);
  };
}

/**
 * Serves a baseline server of the bench (bench/baseline-server.ts, bench/peer-server.ts) on 127.0.0.1:PORT
 * with the counters, and on SIGINT or SIGTERM stops taking connections, runs `close` (its database) and exits.
 */
export function serveWithBenchMetrics(
  fetch: (req: Request) => Response | Promise<Response>,
  counter: QueryCounter,
  close: () => Promise<unknown>,
): void {
  const server = serve({ hostname: "127.0.0.1", port: Number(process.env.PORT), fetch: withBenchMetrics(fetch, counter) });
  const stop = () => server.close(() => void close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
