// The worker bundle's size, measured as scripts/check-bundle.ts measures it (wrangler deploy --dry-run,
// then gzip -9 of every .js/.mjs/.wasm file), but into a temporary directory: check-bundle owns dist/.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { BENCH_METRICS_PATH } from "./metrics.ts";

/** Gzipped size, and whether the bench-only metrics route leaked into the bundle (it must not). */
export async function workerBundle(): Promise<{ kib: number; hasBenchRoute: boolean }> {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bench-bundle-"));
  try {
    await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
      timeout: 180_000,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    let total = 0;
    let hasBenchRoute = false;
    for (const file of readdirSync(out)) {
      if (!/\.(js|mjs|wasm)$/.test(file)) continue;
      const bytes = readFileSync(join(out, file));
      total += gzipSync(bytes, { level: 9 }).length;
      if (bytes.includes(BENCH_METRICS_PATH)) hasBenchRoute = true;
    }
    return { kib: total / 1024, hasBenchRoute };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
