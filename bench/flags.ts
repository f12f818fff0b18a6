// The options of `npm run bench` (bench/run.ts), parsed once, with the bench's fixed measuring constants
// and its hard deadline.
//   options: --seconds N (per run, default 3)  --rounds N (default 4)  --connections N (default 16)
//            --users N (default 100000)  --soak-seconds N (default 10)  --no-bundle  --no-peer
//            --only KEY,KEY (scenario keys of bench/scenarios.ts with their baselines and peers, or
//                   `memory` (idle RSS and the soak) or `revocation`; the rest, the bundle too, is skipped)
//            --profile DIR (the Node Gatehouse server writes a V8 CPU profile there)
//            --node-flags "F F" (Node flags for the Gatehouse server instead of those `npm start` passes)
//            --pglite --worker (more targets: Node + PGlite, the worker in workerd)
//            --db-rtt 20ms (with --worker: round trips and p50 one request at a time at that database RTT)
import { parseArgs } from "node:util";
import { stopAll } from "./processes.ts";

export const { values: flags } = parseArgs({
  options: {
    pglite: { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "16" },
    users: { type: "string", default: "100000" },
    "soak-seconds": { type: "string", default: "10" },
    "no-bundle": { type: "boolean", default: false },
    "no-peer": { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string" },
    "db-rtt": { type: "string" },
    "node-flags": { type: "string" },
  },
});

/** --only forged,me: just these (and their baselines and peers). For measuring one change. */
export const ONLY = flags.only?.split(",").map((k) => k.trim());
/** Whether a part of the bench runs: every part without --only, else those it names. */
export const wants = (part: string) => !ONLY || ONLY.includes(part);
export const SECONDS = Number(flags.seconds);
export const ROUNDS = Number(flags.rounds);
export const CONNECTIONS = Number(flags.connections);
export const USERS = Number(flags.users);
export const SOAK_SECONDS = Number(flags["soak-seconds"]);
export const WARMUP_SECONDS = 1;
for (const [name, v] of Object.entries({ SECONDS, ROUNDS, CONNECTIONS, USERS, SOAK_SECONDS })) {
  if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new Error(`bad --${name.toLowerCase()}: ${v}`);
}

export const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/**
 * The bench stops by itself: past this deadline every child is stopped and the process exits non-zero.
 * `--worker --db-rtt 20ms` took 18.6 min once each scenario's first round was warmed up by requests
 * (bench/load.ts warmUp), 4.4 min more than before; `--pglite` adds a target of the same shape.
 */
const DEADLINE_MS = 45 * 60_000;

export function armDeadline(): void {
  const deadline = setTimeout(() => {
    log(`deadline of ${DEADLINE_MS / 60_000} min reached: stopping`);
    void stopAll().finally(() => process.exit(2));
  }, DEADLINE_MS);
  deadline.unref();
}
