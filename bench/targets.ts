// The targets of `npm run bench` and the table rows that show them: each scenario's figures, its ratio to
// what it is compared with (a baseline at the limit of the design, or the peer), and pass or fail.
import { ARGON2_PARAMS } from "../src/auth/hasher.ts";
import type { Argon2Limit } from "./argon2.ts";
import { fmtRatio, type Measured, stats } from "./measure.ts";
import { PEER_HASH } from "./peer-auth.ts";
import { cpuBudget, type Row } from "./report.ts";
import type { Scenario, ScenarioKey } from "./scenarios.ts";
import type { Target } from "./target.ts";

export const TARGETS = {
  /** A refused token: at least this share of the bare verify-only baseline's throughput. */
  refusal: 0.8,
  /** GET /users/me: at least the bare verify + primary-key query baseline's throughput. */
  me: 1.0,
  /** Versus better-auth: /users/me against its database-session check and its cookie cache; a refusal. */
  peerMe: 2.5,
  peerMeCache: 2.0,
  peerRefusal: 2.5,
  /** Sign-in: the server's event-loop CPU per login beside the hash, ms. */
  loginEventLoopMs: 1.5,
  /** A keyset page deep in the list: p50 within this of the first page's. */
  deepPage: 1.5,
} as const;

export interface TargetInputs {
  target: Target;
  all: Scenario[];
  results: Map<ScenarioKey, Measured[]>;
  limits: Argon2Limit[];
  how: string;
  plans: Map<ScenarioKey, string[]>;
  /** Wall time of one better-auth password verification alone (ms), when the peer ran. */
  peerHashMs?: number | undefined;
}

/** Does the plan find the matching users through an index, never by reading the users table? */
function indexedSearch(plan: string[]): boolean {
  return plan.some((l) => /Index Scan on users_\w*trgm_idx/.test(l)) && !plan.some((l) => /Seq Scan on users\b/.test(l));
}

export function targetRows({ target, all, results, limits, how, plans, peerHashMs }: TargetInputs): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  const has = (key: ScenarioKey) => results.has(key);
  const r = (key: ScenarioKey) => stats(results.get(key)!);
  const row = (key: ScenarioKey, extra: Partial<Row> = {}): Row => {
    const s = all.find((x) => x.key === key)!;
    return { target: target.label, scenario: s.name, ...r(key), ...extra };
  };
  const vs = (key: ScenarioKey, base: ScenarioKey, label: string) => `${fmtRatio(r(key).rps / r(base).rps)} ${label}`;
  const ratioRow = (key: ScenarioKey, base: ScenarioKey, min: number, queries: number, label: string): Row => {
    const st = r(key);
    const ratio = st.rps / r(base).rps;
    // "Exactly" n statements per request: counted over thousands of requests, the mean must be n.
    const queriesOk = Math.abs(st.qpr - queries) < 0.005;
    return row(key, {
      vs: vs(key, base, label),
      goal: `${queries === 0 ? "0 queries" : `exactly ${queries} query`}, ≥ ${fmtRatio(min)} ${label}`,
      pass: ratio >= min && queriesOk && st.errors === 0,
    });
  };
  /** A peer row: how many times the peer's throughput Gatehouse's scenario served. */
  const peerRow = (peerKey: ScenarioKey, ours: ScenarioKey, min: number | undefined, label: string): Row => {
    const ratio = r(ours).rps / r(peerKey).rps;
    // Server CPU per request, the peer's over Gatehouse's: steadier than throughput when the machine is shared.
    const cpu = r(peerKey).cpuUs !== undefined && r(ours).cpuUs ? `; CPU/req ${fmtRatio(r(peerKey).cpuUs! / r(ours).cpuUs!)}` : "";
    return row(peerKey, {
      vs: `${label} ${fmtRatio(ratio)} this${cpu}`,
      ...(min === undefined
        ? {}
        : { goal: `${label} ≥ ${fmtRatio(min)} this`, pass: ratio >= min && r(peerKey).errors === 0 && r(ours).errors === 0 }),
    });
  };
  const planSummary = (key: ScenarioKey) =>
    (plans.get(key) ?? [])
      .filter((l) => /Scan|Bitmap(And|Or)/.test(l))
      .map((l) => l.trim())
      .join("; ");

  if (has("verify")) rows.push(row("verify", { vs: "baseline" }));
  // The refusal's headers and body alone, written by a bare route: what is left of the target for the rest.
  if (has("verifyHeaders")) rows.push(row("verifyHeaders", { vs: vs("verifyHeaders", "verify", "verify") }));
  if (has("forged")) rows.push(ratioRow("forged", "verify", TARGETS.refusal, 0, "verify"));
  if (has("peerForged") && has("forged")) rows.push(peerRow("peerForged", "forged", TARGETS.peerRefusal, "Gatehouse refusal"));
  if (has("verifyExpired")) rows.push(row("verifyExpired", { vs: "baseline" }));
  if (has("expired")) rows.push(ratioRow("expired", "verifyExpired", TARGETS.refusal, 0, "verify"));
  if (has("verifyQuery")) rows.push(row("verifyQuery", { vs: "baseline" }));
  if (has("me")) rows.push(ratioRow("me", "verifyQuery", TARGETS.me, 1, "verify+query"));
  if (has("peerMe") && has("me")) rows.push(peerRow("peerMe", "me", TARGETS.peerMe, "Gatehouse /users/me"));
  if (has("peerMeCache") && has("me")) rows.push(peerRow("peerMeCache", "me", TARGETS.peerMeCache, "Gatehouse /users/me"));
  if (has("userById")) rows.push(row("userById", { vs: vs("userById", "verifyQuery", "verify+query") }));
  if (has("appearance")) rows.push(row("appearance", { vs: vs("appearance", "verifyQuery", "verify+query") }));
  if (has("token")) rows.push(row("token", { vs: vs("token", "verifyQuery", "verify+query") }));
  if (has("listFirst")) rows.push(row("listFirst", { vs: "p50 reference" }));
  if (has("listDeep")) {
    const ratio = r("listDeep").p50 / r("listFirst").p50;
    rows.push(
      row("listDeep", {
        vs: `p50 ${fmtRatio(ratio)} first page`,
        goal: `p50 ≤ ${fmtRatio(TARGETS.deepPage)} first page`,
        pass: ratio <= TARGETS.deepPage && r("listDeep").errors === 0,
      }),
    );
  }
  if (has("listSearch")) {
    const plan = plans.get("listSearch");
    rows.push(
      row("listSearch", {
        goal: "served by an index (EXPLAIN)",
        pass: plan ? indexedSearch(plan) && r("listSearch").errors === 0 : undefined,
        ...(plan ? {} : { note: "plan not visible on this target" }),
      }),
    );
  }
  if (has("listFilter")) rows.push(row("listFilter"));
  if (has("login")) {
    const mean = (f: (l: Argon2Limit) => number) => limits.reduce((a, l) => a + f(l), 0) / limits.length;
    const limit = mean((l) => l.limitRps);
    rows.push({ target: target.label, scenario: "baseline: argon2 limit (cores / hash time)", rps: limit, vs: "baseline" });
    const login = r("login");
    const loopMs = login.mainCpuUs === undefined ? undefined : login.mainCpuUs / 1000;
    rows.push(
      row("login", {
        vs: `${fmtRatio(login.rps / limit)} argon2 limit${loopMs === undefined ? "" : `; event loop ${loopMs.toFixed(2)} ms/login`}`,
        goal: `event-loop CPU ≤ ${TARGETS.loginEventLoopMs} ms per login`,
        pass: loopMs === undefined ? undefined : loopMs <= TARGETS.loginEventLoopMs && login.errors === 0,
        ...(loopMs === undefined ? { note: "event loop not visible on this target" } : {}),
      }),
    );
    notes.push(
      `${target.label}: argon2 limit = ${limits[0]!.cores} cores / ${mean((l) => l.hashMs).toFixed(2)} ms per hash with every core hashing ` +
        `(${mean((l) => l.singleHashMs).toFixed(2)} ms alone): ${how}, next to each login run.`,
    );
    const budget = cpuBudget(results.get("login")!, limits[0]!.cores);
    if (budget) notes.push(`${target.label}: ${budget}`);
    if (has("peerLogin")) {
      const peer = r("peerLogin");
      const peerLoop = peer.mainCpuUs === undefined ? "" : `; event loop ${(peer.mainCpuUs / 1000).toFixed(2)} ms/login`;
      rows.push(row("peerLogin", { vs: `Gatehouse ${fmtRatio(login.rps / peer.rps)} this${peerLoop}` }));
      const singleHash = mean((l) => l.singleHashMs);
      notes.push(
        `${target.label}: the two sign-ins hash differently: Gatehouse argon2id (m = ${ARGON2_PARAMS.memoryCost} KiB, t = ${ARGON2_PARAMS.timeCost}, ` +
          `p = ${ARGON2_PARAMS.parallelism}; OWASP's minimum) ${singleHash.toFixed(2)} ms alone, better-auth scrypt (N = ${PEER_HASH.N}, r = ${PEER_HASH.r}, ` +
          `p = ${PEER_HASH.p}, node:crypto)${peerHashMs === undefined ? "" : ` ${peerHashMs.toFixed(2)} ms alone`}: the sign-in rates compare the hashes as much as the servers; the event-loop CPU per login is what each adds beside its hash.`,
      );
    }
  }
  for (const [key, plan] of plans) {
    if (plan.length) notes.push(`${target.label} plan, ${all.find((x) => x.key === key)!.name}: ${planSummary(key)}`);
  }
  return { rows, notes };
}
