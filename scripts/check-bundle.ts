// Bundles the worker exactly as `wrangler deploy` would (--dry-run) and fails if the upload, gzipped,
// exceeds the budget in docs/performance.md.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { assembleWorkerAssets } from "./console-assets.ts";

const BUDGET_KIB = 250;
const out = "dist";
rmSync(out, { recursive: true, force: true });
// wrangler reads the [assets] directory, which is generated.
assembleWorkerAssets();
execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], { stdio: ["ignore", "ignore", "inherit"] });

let total = 0;
for (const file of readdirSync(out)) {
  if (!/\.(js|mjs|wasm)$/.test(file)) continue;
  const gz = gzipSync(readFileSync(join(out, file)), { level: 9 }).length;
  total += gz;
  console.log(`${file}: ${(gz / 1024).toFixed(1)} KiB gzip`);
}
const kib = total / 1024;
console.log(`worker bundle: ${kib.toFixed(1)} KiB gzip (budget ${BUDGET_KIB} KiB)`);
if (kib > BUDGET_KIB) {
  console.error(`worker bundle exceeds the ${BUDGET_KIB} KiB gzip budget`);
  process.exit(1);
}
