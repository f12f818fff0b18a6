// The real `npm run dev` (wrangler dev, workerd, PGlite behind the loopback Neon stand-ins), started in a
// process group of its own on a free port with a data directory of its own, and stopped by that group's id:
// npm, the dev script, wrangler and workerd all go together, and nothing else on the machine is touched.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./server-process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DevServer {
  /** http://127.0.0.1:<port> */
  base: string;
  /** The DATA_DIR the dev server was given (its PGlite database and generated keys). */
  dataDir: string;
  /** The process group's id (npm's pid). */
  pgid: number;
  /** Everything it printed, for a failure's message. */
  output: string[];
  stop(): Promise<void>;
}

export async function startDevServer(): Promise<DevServer> {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-dev-"));
  const dataDir = join(root, "data");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn("npm", ["run", "dev"], {
    detached: true,
    env: { ...process.env, DATA_DIR: dataDir, DEV_PORT: String(port), WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, "SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) process.kill(-child.pid!, "SIGKILL");
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, dataDir, pgid: child.pid!, output, stop };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`npm run dev did not come up:\n${output.join("")}`);
}
