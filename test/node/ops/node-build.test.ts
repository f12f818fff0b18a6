// `npm start` runs the server's modules with their types stripped ahead of time (scripts/build-node.ts), so
// that Node's own TypeScript stripper never loads into the server. The build must name no .ts module and no
// package-internal (#) import, and the built server must serve what src/server.ts serves, files found next
// to its modules included.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILD_DIR, buildNode } from "../../../scripts/build-node.ts";
import { assetPath } from "../../../src/pages/assets.ts";
import { startServer, stopServer } from "../../support/server-process.ts";

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
});
