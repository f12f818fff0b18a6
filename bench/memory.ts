// The memory part of `npm run bench`: the resident set size of a Node server (Gatehouse, or the peer's
// database-session server) idle after start-up and a warm-up, and its peak under a mixed load repeated
// three times (growing from run to run would be a leak).
import { CONNECTIONS, log, SOAK_SECONDS } from "./flags.ts";
import { load, type LoadRequest } from "./load.ts";
import { quiesce, stats } from "./measure.ts";
import { sleep } from "./processes.ts";
import type { Row } from "./report.ts";
import type { Server } from "./scenarios.ts";
import { originOf, type Target } from "./target.ts";

export const RSS_IDLE_LIMIT_MIB = 120;
export const RSS_LOADED_LIMIT_MIB = 200;
/** RSS may wobble with the allocator; more than this from soak run 1 to run 3 counts as growth. */
const RSS_GROWTH_TOLERANCE = 0.05;
const SOAK_RUNS = 3;
const WARMUP_SECONDS = 2;
/**
 * How long a server is left idle, its RSS sampled every second. V8 keeps the heap it grew while loading
 * modules and serving the warm-up until its memory reducer sees the process idle (15–30 s after the last
 * request here), then gives the unused pages back: the idle RSS is the lowest sample, the RSS right after
 * the warm-up is printed beside it.
 */
const IDLE_SECONDS = 60;

const mib = (bytes: number) => bytes / 2 ** 20;
/** The mix holds a refused credential (401). */
const expect = (st: number) => st < 300 || st === 401;

export interface IdleServer {
  on: Server;
  label: string;
  requests: LoadRequest[];
  /** The target it must meet, or none (the peer, a reference). */
  limitMib?: number;
}

/** Each server warmed up, then every one left idle at once for IDLE_SECONDS: one row each. */
export async function idleRss(target: Target, servers: IdleServer[]): Promise<Row[]> {
  for (const s of servers) {
    await load({ origin: originOf(target, s.on), connections: CONNECTIONS, seconds: WARMUP_SECONDS, requests: s.requests, expect });
    await quiesce(target, s.on);
  }
  const first = await Promise.all(servers.map((s) => target.rssBytes!(s.on)));
  const idle = [...first];
  for (let t = 0; t < IDLE_SECONDS; t++) {
    await sleep(1000);
    const now = await Promise.all(servers.map((s) => target.rssBytes!(s.on)));
    for (const [i, bytes] of now.entries()) idle[i] = Math.min(idle[i]!, bytes);
  }
  return servers.map((s, i) => {
    const settled = mib(idle[i]!);
    log(`${target.label} ${s.label}: RSS ${mib(first[i]!).toFixed(1)} MiB after the warm-up, ${settled.toFixed(1)} MiB idle`);
    return {
      target: target.label,
      scenario: `${s.label}: RSS idle (lowest in ${IDLE_SECONDS} s after start-up and a ${WARMUP_SECONDS} s warm-up)`,
      vs: `${settled.toFixed(0)} MiB (${mib(first[i]!).toFixed(0)} MiB right after the warm-up)`,
      ...(s.limitMib === undefined ? {} : { goal: `≤ ${s.limitMib} MiB`, pass: settled <= s.limitMib }),
    };
  });
}

/**
 * Three consecutive runs of a mixed load, after one unmeasured run of the same load (V8 grows its heap
 * lazily: without it, run 1 would catch the heap still expanding to its working size, not a leak). The
 * server's RSS is sampled throughout each run.
 */
export async function soak(target: Target, s: IdleServer): Promise<Row[]> {
  const origin = originOf(target, s.on);
  const options = { origin, connections: CONNECTIONS, seconds: SOAK_SECONDS, requests: s.requests, expect };
  await load(options);
  await quiesce(target, s.on);
  const rows: Row[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < SOAK_RUNS; i++) {
    const before = await target.statements(s.on);
    let done = false;
    let peak = 0;
    const sampler = (async () => {
      // Bounded by the run: it ends when the load does, and each sample is awaited with a timeout.
      for (let n = 0; !done && n < SOAK_SECONDS * 10 + 20; n++) {
        peak = Math.max(peak, await target.rssBytes!(s.on));
        await sleep(250);
      }
    })();
    const run = await load(options);
    done = true;
    await sampler;
    await quiesce(target, s.on);
    const statements = (await target.statements(s.on)) - before;
    peak = Math.max(peak, await target.rssBytes!(s.on));
    peaks.push(peak);
    const st = stats([{ run, statements, cpu: { bench: 0 } }]);
    const growth = peaks.length > 1 ? peak / peaks[0]! - 1 : 0;
    const last = i === SOAK_RUNS - 1;
    const limit = s.limitMib;
    rows.push({
      target: target.label,
      scenario: `${s.label}: RSS soak ${i + 1}/${SOAK_RUNS}, mixed load for ${SOAK_SECONDS} s${i === 0 ? " (after one unmeasured)" : ""}`,
      ...st,
      vs: `peak RSS ${mib(peak).toFixed(0)} MiB${i > 0 ? ` (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}% vs run 1)` : ""}`,
      // The targets are Gatehouse's (a limit and no growth); the peer's rows are there to compare with.
      ...(limit === undefined
        ? {}
        : {
            goal: last ? `≤ ${limit} MiB, not growing (≤ +${RSS_GROWTH_TOLERANCE * 100}% run 1 → ${SOAK_RUNS})` : `≤ ${limit} MiB`,
            pass: mib(peak) <= limit && (!last || growth <= RSS_GROWTH_TOLERANCE) && st.errors === 0,
          }),
    });
    log(`${target.label} ${s.label} soak ${i + 1}: ${st.rps.toFixed(1)} req/s, peak RSS ${mib(peak).toFixed(1)} MiB`);
  }
  return rows;
}
