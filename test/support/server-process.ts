// The real Node server (`node src/server.ts`; `npm start` runs its build, scripts/build-node.ts) in a child
// process on loopback, for the suites about what only a whole process shows: files on disk, signals, crashes
// and restarts.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Every line the process wrote to stdout or stderr, in order. */
  lines: string[];
  /** The JSON log lines with this `msg`. */
  logged(msg: string): Record<string, unknown>[];
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a line containing `text` has been written. */
  waitForLine(text: string, timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  /** How long start-up (PGlite's start, migrations) may take: slow on a busy 2-core machine. */
  startTimeoutMs?: number;
  /** The module to run; by default src/server.ts (`npm start` runs its build: scripts/build-node.ts). */
  entry?: string;
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", options.entry ?? "src/server.ts"], {
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: options.dataDir,
      CODER_ACCESS_URL: url,
      DISABLE_RATE_LIMITS: "true",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding("utf8");
    let rest = "";
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts.filter(Boolean)) {
        lines.push(line);
        for (const w of waiters.filter((w) => line.includes(w.text))) w.resolve();
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const handle: ServerProcess = {
    url,
    pid: child.pid!,
    child,
    lines,
    exited,
    logged: (msg) =>
      lines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return parsed.msg === msg ? [parsed] : [];
        } catch {
          return [];
        }
      }),
    waitForLine: (text, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        if (lines.some((l) => l.includes(text))) return resolve();
        const timer = setTimeout(() => reject(new Error(`no line containing ${JSON.stringify(text)}:\n${lines.join("\n")}`)), timeoutMs);
        waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`server exited during start-up:\n${lines.join("\n")}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return handle;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`server not healthy after ${options.startTimeoutMs ?? 60_000} ms:\n${lines.join("\n")}`);
}

/** Sends `signal` and waits for the process to exit. */
export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = "SIGTERM") {
  server.child.kill(signal);
  return server.exited;
}
