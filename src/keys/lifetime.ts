// Token lifetimes travel as Go `time.Duration`s: JSON integers in nanoseconds (Coder's codersdk/apikey.go).
// The default maximum, 876600h, is 3.15576e18 ns, past the 2^53 a JavaScript number holds exactly, so
// values are read from and written to the JSON text as BigInts.
import type { Config } from "../config.ts";
import type { UserRow } from "../db/schema.ts";

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const INT64_MAX = 2n ** 63n - 1n;

/** Config durations are milliseconds (possibly fractional, from "1.5ms"); exact nanoseconds. */
export function nsFromMs(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** Milliseconds for Date arithmetic; sub-millisecond remainders are dropped. */
export const msFromNs = (ns: bigint): number => Number(ns / NS_PER_MS);

/** Coder's getMaxTokenLifetime: users holding the site role `owner` get the admin maximum. */
export function maxTokenLifetimeNs(config: Config, user: Pick<UserRow, "rbacRoles">): bigint {
  return nsFromMs(user.rbacRoles.includes("owner") ? config.maxAdminTokenLifetimeMs : config.maxTokenLifetimeMs);
}

function withFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const width = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(width, "0").replace(/0+$/, "")}`;
}

/** Go's Duration.String(): "168h0m0s", "1m30s", "1.5s", "250ms", "0s". Used in Coder's error details. */
export function goDuration(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const abs = ns < 0n ? -ns : ns;
  if (abs === 0n) return "0s";
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < NS_PER_MS) return `${sign}${withFraction(abs, 1_000n)}µs`;
  if (abs < NS_PER_S) return `${sign}${withFraction(abs, NS_PER_MS)}ms`;
  const hours = abs / 3600n / NS_PER_S;
  const minutes = (abs / 60n / NS_PER_S) % 60n;
  const seconds = abs % (60n * NS_PER_S);
  let out = `${withFraction(seconds, NS_PER_S)}s`;
  if (hours > 0n || minutes > 0n) out = `${minutes}m${out}`;
  if (hours > 0n) out = `${hours}h${out}`;
  return sign + out;
}

export type LifetimeField = { ok: true; ns: bigint | undefined } | { ok: false; detail: string };

const INTEGER_LITERAL = /^-?(0|[1-9]\d*)$/;

/**
 * The top-level `lifetime` of a JSON body, exactly as written. JSON.parse would round a large integer to
 * the nearest double, so its reviver's source text (Node 22, workerd) gives the digits. Go decodes a
 * Duration only from an integer literal within int64; anything else is its decode error.
 */
export function readLifetime(text: string): LifetimeField {
  const seen: { holder: unknown; value: unknown; source: string | undefined }[] = [];
  const root: unknown = JSON.parse(text, function reviver(this: unknown, key: string, value: unknown, context?: { source?: string }) {
    if (key === "lifetime") seen.push({ holder: this, value, source: context?.source });
    return value;
  });
  const field = seen.find((s) => s.holder === root);
  if (!field || field.value === null || field.value === undefined) return { ok: true, ns: undefined };
  if (typeof field.value !== "number") return { ok: true, ns: undefined }; // the schema reports the type
  const source = field.source ?? String(field.value);
  const goError = { ok: false as const, detail: `json: cannot unmarshal number ${source} into Go struct field CreateTokenRequest.lifetime of type time.Duration` };
  if (!INTEGER_LITERAL.test(source)) return goError;
  const ns = BigInt(source);
  if (ns > INT64_MAX || ns < -INT64_MAX - 1n) return goError;
  return { ok: true, ns };
}

/** `{"max_token_lifetime":<ns>}` with the integer written exactly (c.json would go through a double). */
export const tokenConfigJson = (maxNs: bigint): string => `{"max_token_lifetime":${maxNs.toString()}}`;
