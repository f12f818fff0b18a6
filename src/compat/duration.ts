// Go's time.Duration, the one way Gatehouse reads and writes durations the way Coder does. The unit is
// Go's own: nanoseconds, as a bigint, because Coder's JSON carries them as int64 (the default maximum
// token lifetime, 876600h, is 3.15576e18 ns, past the 2^53 a JavaScript number holds exactly).
// Configuration and Date arithmetic work in milliseconds; the conversions below are the only bridge.
// Go's behaviour: https://pkg.go.dev/time#ParseDuration and https://pkg.go.dev/time#Duration.String

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -INT64_MAX - 1n;

/** Milliseconds (possibly fractional, from "1.5ms" in the configuration) as exact nanoseconds. */
export function msToNs(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** Milliseconds for Date arithmetic: whole milliseconds, any sub-millisecond remainder dropped. */
export const nsToWholeMs = (ns: bigint): number => Number(ns / NS_PER_MS);

/** Milliseconds as a number, keeping a fraction ("1500ns" is 0.0015): how the configuration holds durations. */
export const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: NS_PER_US,
  µs: NS_PER_US,
  ms: NS_PER_MS,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

/**
 * A duration as the configuration writes it ("24h", "1h30m", "1.5s"): one or more `<decimal><unit>`
 * terms, without Go's optional sign or bare "0". Fractions are exact; digits past the nanosecond are
 * dropped, as Go drops them. Undefined when the text is not such a duration.
 */
export function parseGoDuration(input: string): bigint | undefined {
  const re = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/gy;
  let total = 0n;
  let matched = 0;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    const unit = UNIT_NS[m[3]!]!;
    const fraction = m[2] ?? "";
    total += BigInt(m[1]!) * unit + (BigInt(fraction || "0") * unit) / 10n ** BigInt(fraction.length);
    matched = re.lastIndex;
  }
  return input.length > 0 && matched === input.length ? total : undefined;
}

/** `value / unit` in decimal, trailing zeros of the fraction dropped ("1.5", "2"). */
function withFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const width = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(width, "0").replace(/0+$/, "")}`;
}

/** Go's Duration.String(): "168h0m0s", "1m30s", "1.5s", "250ms", "0s". Coder writes it in messages. */
export function formatGoDuration(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const abs = ns < 0n ? -ns : ns;
  if (abs === 0n) return "0s";
  if (abs < NS_PER_US) return `${sign}${abs}ns`;
  if (abs < NS_PER_MS) return `${sign}${withFraction(abs, NS_PER_US)}µs`;
  if (abs < NS_PER_S) return `${sign}${withFraction(abs, NS_PER_MS)}ms`;
  const hours = abs / 3600n / NS_PER_S;
  const minutes = (abs / 60n / NS_PER_S) % 60n;
  const seconds = abs % (60n * NS_PER_S);
  let out = `${withFraction(seconds, NS_PER_S)}s`;
  if (hours > 0n || minutes > 0n) out = `${minutes}m${out}`;
  if (hours > 0n) out = `${hours}h${out}`;
  return sign + out;
}
