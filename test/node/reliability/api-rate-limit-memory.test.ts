// The general API limit's counters live in the instance's memory, so what a client can make them hold is
// bounded: keys are route patterns (every unmatched path shares one key per client), and the table is
// bounded by bytes, dropping the lowest counts first when full (src/security/window-counter.ts).
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { entryBytes, WindowCounter } from "../../../src/security/window-counter.ts";
import { send, useClockApp } from "../../support/harness.ts";

const LIMIT = 512;
const MINUTE = 60_000;
const MiB = 1024 * 1024;

/** V8's collector, exposed at run time: vitest's workers are not started with --expose-gc. */
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

function heapAfterGc(gc: () => void): number {
  // Several passes: the first ones may only promote what the next ones free.
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe("unauthenticated requests to unmatched paths", () => {
  const { app } = useClockApp({ env: { DISABLE_RATE_LIMITS: "false", API_RATE_LIMIT: String(LIMIT) } });

  it("attack: 5,000 distinct 15 KB unmatched paths do not pin server memory", async () => {
    const gc = collector();
    const filler = "a".repeat(15 * 1024);
    const fire = (i: number) => send(app, "GET", `/${filler}-${i}`);
    // Warm up first (JIT, lazily built routes), from another address, so the baseline holds what it will.
    app.setIp("198.51.100.200");
    for (let i = 0; i < 50; i++) await (await fire(i)).arrayBuffer();
    app.setIp("198.51.100.7");
    const before = heapAfterGc(gc);
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 5000; batch += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, j) => fire(batch + j)));
      for (const res of answers) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }
    }
    const grown = heapAfterGc(gc) - before;
    expect(grown).toBeLessThan(5 * MiB);
    // One key for all of them: the limit applies as to any endpoint.
    expect(Object.fromEntries(statuses)).toEqual({ 404: LIMIT, 429: 5000 - LIMIT });
  });

  it("other clients keep their own budget for unmatched paths", async () => {
    app.clock.advance(MINUTE);
    app.setIp("198.51.100.8");
    for (let i = 0; i < LIMIT; i++) expect((await send(app, "GET", `/nothing-here-${i}`)).status).toBe(404);
    expect((await send(app, "GET", "/nothing-here-at-all")).status).toBe(429);
    app.setIp("198.51.100.9");
    expect((await send(app, "GET", "/nothing-here-at-all")).status).toBe(404);
  });
});

describe("the counter table", () => {
  const T = 5 * MINUTE;
  /** Room for about 100 entries of the keys below. */
  const budget = 100 * entryBytes("ip:203.0.113.255|GET /api/v2/users/:user");

  it("attack: a flood of one-request clients cannot reset the count of a client near its limit", () => {
    const counter = new WindowCounter(MINUTE, budget);
    const flooder = ["ip:203.0.113.1", "GET /api/v2/users/:user"];
    for (let i = 0; i < 500; i++) counter.hit(flooder, T);
    // Thousands of new addresses, one request each: many times what the table holds.
    for (let i = 0; i < 10_000; i++) counter.hit([`ip:198.18.${i >> 8}.${i & 255}`, "GET /api/v2/users/:user"], T);
    expect(counter.hit(flooder, T).count).toBe(501);
    expect(counter.bytes).toBeLessThanOrEqual(budget);
  });

  it("stays within its byte budget, counting long keys by their length", () => {
    const counter = new WindowCounter(MINUTE, budget);
    for (let i = 0; i < 5_000; i++) {
      counter.hit([`ip:${i}`, "x".repeat(i % 300)], T);
      expect(counter.bytes).toBeLessThanOrEqual(budget);
    }
    expect(counter.size).toBeGreaterThan(10);
    // A key larger than the whole budget is counted once and not kept.
    expect(counter.hit(["ip:1", "y".repeat(budget)], T).count).toBe(1);
    expect(counter.hit(["ip:1", "y".repeat(budget)], T).count).toBe(1);
  });

  it("drops the lowest counts first, and starts over each window", () => {
    const counter = new WindowCounter(MINUTE, budget);
    const busy = Array.from({ length: 60 }, (_, i) => [`ip:192.0.2.${i}`, "GET /api/v2/users/:user"]);
    for (const key of busy) for (let n = 0; n < 3; n++) counter.hit(key, T);
    for (let i = 0; i < 1_000; i++) counter.hit([`ip:198.18.0.${i}`, "GET /api/v2/users/:user"], T);
    for (const key of busy) expect(counter.hit(key, T).count).toBe(4);
    expect(counter.hit(busy[0]!, T + MINUTE).count).toBe(1);
  });
});
