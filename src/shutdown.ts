// Stopping the Node server without losing work: on SIGTERM (what systemd, Docker and Kubernetes send) or
// SIGINT the listener closes at once, so new connections are refused; requests in flight run to their
// answer; work deferred past the answer (audit records, last-used stamps) finishes; then the database is
// closed, which for the embedded PGlite is a clean Postgres shutdown, and the process exits 0. Everything
// before closing the database is bounded (SHUTDOWN_TIMEOUT_MS): past it the remaining connections are cut,
// the database is still closed, and the exit code is 1 so a supervisor can tell that work was cut off.
import { describeError, logLine } from "./http/logging.ts";

/** How long requests in flight and deferred work may take to finish once a stop is asked for. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The parts of node:http's Server that a shutdown uses (what @hono/node-server's serve returns). */
export interface ClosableServer {
  close(callback: () => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

export interface ShutdownParts {
  server: ClosableServer;
  drainDeferred(): Promise<void>;
  closeDatabase(): Promise<void>;
  timeoutMs?: number;
}

/** Resolves true when `work` settles before `deadline` (epoch ms), false when the deadline comes first. */
function settlesBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}

/** Stops serving, finishes the work in flight, closes the database; answers the exit code. */
export async function shutdown(parts: ShutdownParts, signal: string): Promise<number> {
  const timeoutMs = parts.timeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let cutOff = false;
  const closed = new Promise<void>((resolve) => parts.server.close(() => resolve()));
  // Logged once the listener is closed: from this line on, a new connection is refused.
  logLine("info", "shutting down: refusing new connections, finishing requests in flight", { signal, timeout_ms: timeoutMs });
  // close() closes the connections idle right now; a keep-alive connection whose request ends later would
  // stay open, idle, and hold close() back until the deadline. Close those as they become idle.
  const idleSweep = setInterval(() => parts.server.closeIdleConnections(), 50);
  const requestsDone = await settlesBy(closed, deadline);
  clearInterval(idleSweep);
  if (!requestsDone) {
    cutOff = true;
    parts.server.closeAllConnections();
    logLine("warn", "shutdown timeout: connections still open were closed", { timeout_ms: timeoutMs });
  }

  if (!(await settlesBy(parts.drainDeferred(), deadline))) {
    cutOff = true;
    logLine("warn", "shutdown timeout: deferred work still running was abandoned", { timeout_ms: timeoutMs });
  }

  try {
    await parts.closeDatabase();
  } catch (err) {
    logLine("error", "closing the database failed", { error: describeError(err) });
    return 1;
  }
  logLine("info", "shut down", { clean: !cutOff });
  return cutOff ? 1 : 0;
}

/** Runs `shutdown` on the first SIGTERM or SIGINT, then exits; later signals wait for that one. */
export function shutdownOnSignals(parts: ShutdownParts): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void shutdown(parts, signal).then((code) => process.exit(code));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
