// Scenario running for `npm run bench`: which scenarios are measured together, and their rounds. A group
// (a baseline, what is compared with it, and the peer's counterpart) runs its rounds back to back,
// alternating the order, so a scenario and what it is compared with are never more than a few seconds
// apart: drift from other work on the machine then hits both alike.
import type { Argon2Limit } from "./argon2.ts";
import { log, ONLY, ROUNDS, SECONDS } from "./flags.ts";
import { measure, type Measured } from "./measure.ts";
import type { Scenario, ScenarioKey } from "./scenarios.ts";
import type { Target } from "./target.ts";

/** Scenarios measured together, in alternating rounds: each baseline with what is compared to it. */
export const GROUPS: ScenarioKey[][] = [
  ["verify", "verifyHeaders", "forged", "peerForged"],
  ["verifyExpired", "expired"],
  ["verifyQuery", "me", "peerMe", "peerMeCache", "userById", "appearance", "token"],
  ["listFirst", "listDeep", "listSearch", "listFilter"],
  ["login", "peerLogin"],
];

/** What --only KEY brings along: what KEY is compared with. */
const NEEDS: Partial<Record<ScenarioKey, ScenarioKey[]>> = {
  forged: ["verify", "verifyHeaders", "peerForged"],
  expired: ["verifyExpired"],
  me: ["verifyQuery", "peerMe", "peerMeCache"],
  userById: ["verifyQuery"],
  appearance: ["verifyQuery"],
  token: ["verifyQuery"],
  listDeep: ["listFirst"],
  login: ["peerLogin"],
};

/** Keys --only accepts beside the scenarios' (bench/run.ts runs those parts). */
export const PARTS = ["memory", "revocation"];

/** The scenarios to run: all, or those named by --only plus what they are measured against. */
export function selected(all: Scenario[]): Scenario[] {
  if (!ONLY) return all;
  const unknown = ONLY.filter((k) => !GROUPS.flat().includes(k as ScenarioKey) && !PARTS.includes(k));
  if (unknown.length) throw new Error(`unknown key in --only: ${unknown.join(", ")} (known: ${[...GROUPS.flat(), ...PARTS].join(", ")})`);
  const keys = new Set<string>(ONLY);
  for (const k of ONLY) for (const n of NEEDS[k as ScenarioKey] ?? []) keys.add(n);
  return all.filter((s) => keys.has(s.key));
}

export interface RoundResults {
  results: Map<ScenarioKey, Measured[]>;
  /** The argon2 limit, measured next to each login run. */
  limits: Argon2Limit[];
  how: string;
}

export async function runRounds(target: Target, all: Scenario[]): Promise<RoundResults> {
  const results = new Map<ScenarioKey, Measured[]>();
  const limits: Argon2Limit[] = [];
  let how = "";
  const grouped = new Set(GROUPS.flat());
  for (const s of all) if (!grouped.has(s.key)) throw new Error(`scenario ${s.key} belongs to no group in GROUPS`);
  for (const group of GROUPS) {
    const members = all.filter((s) => group.includes(s.key));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? members : [...members].reverse()) {
        if (s.key === "login") {
          // The login limit is measured next to each login run, under the same conditions.
          const limit = await target.argon2Limit();
          limits.push(limit);
          how = limit.how;
          log(
            `${target.label} round ${round + 1}: argon2 ${limit.hashMs.toFixed(2)} ms/hash (${limit.singleHashMs.toFixed(2)} ms alone) → limit ${limit.limitRps.toFixed(1)}/s`,
          );
        }
        const m = await measure(target, s.renew ? { ...s, request: await s.renew() } : s, SECONDS);
        log(
          `${target.label} round ${round + 1}: ${s.name}: ${(m.run.responses / m.run.seconds).toFixed(1)} req/s, ${m.run.errors} errors, ${m.statements} statements / ${m.run.sent} sent${m.cpu.server === undefined ? "" : `, server CPU ${(m.cpu.server / Math.max(1, m.run.responses)).toFixed(0)} µs/req`}`,
        );
        results.set(s.key, [...(results.get(s.key) ?? []), m]);
      }
    }
  }
  return { results, limits, how };
}
