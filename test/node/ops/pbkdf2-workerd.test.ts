// Coder's PBKDF2 hashes verify on Workers too: the same
// src/auth/pbkdf2.ts, bundled by wrangler and run in workerd, checked against node:crypto hashes.
import { unstable_startWorker } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coderPbkdf2 } from "./coder-fixture.ts";

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
let worker: Worker;
const previousCfFetch = process.env.CLOUDFLARE_CF_FETCH_ENABLED;

beforeAll(async () => {
  // Miniflare would otherwise fetch request.cf data from workers.cloudflare.com: stay on loopback.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  worker = await unstable_startWorker({
    entrypoint: "test/node/ops/fixtures/pbkdf2-worker.ts",
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "none", watch: false, persist: false },
  });
  await worker.ready;
}, 60_000);
afterAll(async () => {
  await worker?.dispose();
  if (previousCfFetch === undefined) delete process.env.CLOUDFLARE_CF_FETCH_ENABLED;
  else process.env.CLOUDFLARE_CF_FETCH_ENABLED = previousCfFetch;
});

async function verifyInWorkerd(stored: string, password: string): Promise<{ valid?: boolean; error?: string }> {
  const res = await worker.fetch("http://pbkdf2.test/", { method: "POST", body: JSON.stringify({ stored, password }) });
  return (await res.json()) as { valid?: boolean; error?: string };
}

describe("verifyCoderPbkdf2 in workerd", () => {
  it("accepts Coder's production hashes (65535 iterations) and refuses a wrong password", async () => {
    const stored = coderPbkdf2("Coder-Password-123!");
    expect(await verifyInWorkerd(stored, "Coder-Password-123!")).toEqual({ valid: true });
    expect(await verifyInWorkerd(stored, "Coder-Password-124!")).toEqual({ valid: false });
  });

  it("hashes non-ASCII passwords as UTF-8, like Node and Go", async () => {
    const stored = coderPbkdf2("Grüße-aus-Köln-42!", 1024);
    expect(await verifyInWorkerd(stored, "Grüße-aus-Köln-42!")).toEqual({ valid: true });
  });

  it("refuses counts above workerd's PBKDF2 limit as malformed instead of throwing", async () => {
    expect(await verifyInWorkerd(coderPbkdf2("pw", 100_000), "pw")).toEqual({ valid: true });
    expect(await verifyInWorkerd(coderPbkdf2("pw", 100_001), "pw")).toEqual({ valid: false });
  });
});
