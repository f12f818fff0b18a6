// `npm start` runs the server's modules with their types stripped ahead of time (scripts/build-node.ts), so
// that Node's own TypeScript stripper never loads into the server. The build must name no .ts module and no
// package-internal (#) import, and the built server must serve what src/server.ts serves, files found next
// to its modules included; and `npm start`'s shell hands the process over to the server, so a SIGTERM sent to
// npm (a container's stop, a process manager) reaches it and it shuts down cleanly.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILD_DIR, buildNode } from "../../../scripts/build-node.ts";
import { assetPath } from "../../../src/pages/assets.ts";
import { freePort, startServer, stopServer } from "../../support/server-process.ts";

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'\n]+)["']/g;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the Node build (scripts/build-node.ts)", () => {
  const built = buildNode(["src/server.ts"]);

  it("rewrites every import to a built .js module, a package or a file outside the build", () => {
    expect(built).toContain(join(BUILD_DIR, "src", "server.js"));
    expect(built).toContain(join(BUILD_DIR, "src", "auth", "hasher-node.js"));
    const wrong = built.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(SPECIFIER)]
        .map((m) => m[1]!)
        .filter((s) => s.endsWith(".ts") || s.startsWith("#"))
        .map((s) => `${relative(BUILD_DIR, file)}: ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it("serves the API, the health check and the console's static files", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-build-"));
    dirs.push(dataDir);
    const server = await startServer({ dataDir, entry: relative(process.cwd(), join(BUILD_DIR, "src", "server.js")) });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const me = await fetch(`${server.url}/api/v2/users/me`);
      expect(me.status).toBe(401);
      const css = await fetch(server.url + assetPath("console.css"));
      expect(css.status).toBe(200);
      expect(await css.text()).toBe(readFileSync("src/pages/static/console.css", "utf8"));
    } finally {
      expect((await stopServer(server)).code).toBe(0);
    }
  }, 90_000);

  it("npm start: a SIGTERM to npm reaches the server, which shuts down cleanly and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-npm-start-"));
    dirs.push(dataDir);
    const port = await freePort();
    const npm = spawn("npm", ["start"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
      // A process group of its own, so that whatever outlives npm can be cleaned up after a failure.
      detached: true,
    });
    let log = "";
    npm.stdout.on("data", (chunk: Buffer) => (log += chunk));
    npm.stderr.on("data", (chunk: Buffer) => (log += chunk));
    const exited = once(npm, "exit") as Promise<[number | null, string | null]>;
    const health = `http://127.0.0.1:${port}/healthz`;
    try {
      for (let i = 0; i < 120 && !log.includes("gatehouse listening"); i++) await new Promise((r) => setTimeout(r, 250));
      expect((await fetch(health)).status).toBe(200);
      npm.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
      expect(log).toContain('"clean":true');
      await expect(fetch(health)).rejects.toThrow();
    } finally {
      try {
        process.kill(-npm.pid!, "SIGKILL");
      } catch {
        // the group is gone: nothing outlived npm
      }
    }
  }, 90_000);
});
