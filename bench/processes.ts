// Child processes of the bench (Gatehouse, the baseline servers, workerd): started on loopback, waited
// for with a deadline, and stopped by their own process id (never by name), with SIGKILL after a grace period.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface Child {
  name: string;
  url: string;
  pid: number;
  /** The child's last output lines, for the error message when it fails. */
  tail(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const started = new Set<Child>();

/** Stops every child still running (the bench's finally block and its hard deadline). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...started].map((c) => c.stop()));
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Polled until it answers (any HTTP status): the child is then ready. */
  readyUrl: string;
  url: string;
  readyTimeoutMs: number;
  /** Own process group, so `stop` also reaches any grandchildren. */
  group?: boolean;
}

export async function startChild(options: SpawnOptions): Promise<Child> {
  const proc: ChildProcess = spawn(options.command, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.group ?? false,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once("exit", () => ((exited = true), resolve())));

  const signal = (sig: NodeJS.Signals) => {
    if (exited || proc.pid === undefined) return;
    try {
      // A negative pid addresses the child's own process group (it was started detached, as its leader).
      process.kill(options.group ? -proc.pid : proc.pid, sig);
    } catch {
      // Already gone.
    }
  };
  const child: Child = {
    name: options.name,
    url: options.url,
    pid: proc.pid ?? -1,
    tail: () => lines.join("\n"),
    async stop() {
      started.delete(child);
      signal("SIGTERM");
      const killed = await Promise.race([exit.then(() => false), sleep(5_000).then(() => true)]);
      if (killed) {
        signal("SIGKILL");
        await Promise.race([exit, sleep(2_000)]);
      }
    },
  };
  started.add(child);

  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      await fetch(options.readyUrl, { signal: AbortSignal.timeout(2_000) });
      return child;
    } catch {
      await sleep(200);
    }
  }
  await child.stop();
  throw new Error(`${options.name} did not start within ${options.readyTimeoutMs} ms:\n${child.tail()}`);
}

/** Node 22 (the one running the bench, from node_modules) running a TypeScript file. */
export function nodeCommand(file: string, nodeFlags: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--disable-warning=ExperimentalWarning", ...nodeFlags, file] };
}
