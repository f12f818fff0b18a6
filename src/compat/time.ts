// The time formats Coder clients read and write: RFC 3339 with fractional seconds in JSON, Go's
// time.Time.String() in messages, and Go's time.Parse(time.RFC3339Nano, v) for search filters.
// Go's behaviour: https://pkg.go.dev/time#Time.String and https://pkg.go.dev/time#Parse

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** RFC 3339 in UTC; null is Go's zero time ("never"), written as Coder writes it. */
export function rfc3339(d: Date | null): string {
  return d ? d.toISOString() : "0001-01-01T00:00:00Z";
}

/** Go's time.Time.String() in UTC: `2024-01-01 10:00:00.123 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3).replace(/0+$/, "")}` : "";
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac} +0000 UTC`
  );
}

// Parsing: Go's time.Parse(time.RFC3339Nano, v), as Coder's search filters use it, with the same accepted
// inputs and the same error text. The result is a UTC timestamptz literal with every fractional digit, so
// Postgres (not a millisecond JavaScript Date) does the comparison, and years Go accepts but JavaScript and
// Postgres spell differently (0000 is 1 BC) or offsets Postgres refuses (+24:00) never reach the database raw.
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

export type ParsedTime = { ok: true; literal: string; isZero: boolean } | { ok: false; error: string };

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (month: number, year: number) => (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]!);
const quote = (s: string) => JSON.stringify(s);

/** The instant Go calls the zero time, 0001-01-01T00:00:00Z, which Coder treats as "no filter". */
const ZERO_MS = (() => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  return d.getTime();
})();

export function parseRfc3339Nano(value: string): ParsedTime {
  let rest = value;
  const cannot = (at: string, elem: string): ParsedTime => ({
    ok: false,
    error: `parsing time ${quote(value)} as ${quote(RFC3339_NANO)}: cannot parse ${quote(at)} as ${quote(elem)}`,
  });
  const outOfRange = (what: string): ParsedTime => ({ ok: false, error: `parsing time ${quote(value)}: ${what} out of range` });
  /** Go's getnum: one or two digits, exactly two when `fixed`. */
  const num = (fixed: boolean): number | undefined => {
    const m = (fixed ? /^[0-9]{2}/ : /^[0-9]{1,2}/).exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const literal = (lit: string) => {
    if (!rest.startsWith(lit)) return false;
    rest = rest.slice(lit.length);
    return true;
  };

  if (!/^[0-9]{4}/.test(rest)) return cannot(rest, "2006");
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  if (!literal("-")) return cannot(rest, "-");
  let hold = rest;
  const month = num(true);
  if (month === undefined) return cannot(hold, "01");
  if (month < 1 || month > 12) return outOfRange("month");
  if (!literal("-")) return cannot(rest, "-");
  hold = rest;
  const day = num(true);
  if (day === undefined) return cannot(hold, "02");
  if (!literal("T")) return cannot(rest, "T");
  hold = rest;
  const hour = num(false);
  if (hour === undefined) return cannot(hold, "15");
  if (hour > 23) return outOfRange("hour");
  if (!literal(":")) return cannot(rest, ":");
  hold = rest;
  const minute = num(true);
  if (minute === undefined) return cannot(hold, "04");
  if (minute > 59) return outOfRange("minute");
  if (!literal(":")) return cannot(rest, ":");
  hold = rest;
  const second = num(true);
  if (second === undefined) return cannot(hold, "05");
  if (second > 59) return outOfRange("second");

  // Optional fraction, '.' or ',' then digits; Go keeps nanoseconds and drops further digits.
  let fraction = "";
  const frac = /^[.,]([0-9]+)/.exec(rest);
  if (frac) {
    fraction = frac[1]!.slice(0, 9);
    rest = rest.slice(frac[0].length);
  }

  let offsetMinutes = 0;
  if (rest.startsWith("Z")) {
    rest = rest.slice(1);
  } else {
    hold = rest;
    const tz = /^([+-])([0-9]{2}):([0-9]{2})/.exec(rest);
    if (!tz) return cannot(hold, "Z07:00");
    const [, sign, hh, mm] = tz;
    if (Number(hh) > 24) return outOfRange("time zone offset hour");
    if (Number(mm) > 60) return outOfRange("time zone offset minute");
    offsetMinutes = (sign === "-" ? -1 : 1) * (Number(hh) * 60 + Number(mm));
    rest = rest.slice(6);
  }
  if (rest.length > 0) return { ok: false, error: `parsing time ${quote(value)}: extra text: ${quote(rest)}` };
  if (day < 1 || day > daysIn(month, year)) return outOfRange("day");

  // setUTCFullYear keeps years 0-99 literal (Date.UTC would read them as 19xx).
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const y = utc.getUTCFullYear();
  // Postgres has no year 0: astronomical year y <= 0 is year 1 - y BC.
  const era = y <= 0 ? " BC" : "";
  const literalText =
    `${pad(y <= 0 ? 1 - y : y, 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)} ` +
    `${pad(utc.getUTCHours(), 2)}:${pad(utc.getUTCMinutes(), 2)}:${pad(utc.getUTCSeconds(), 2)}` +
    `${fraction ? `.${fraction}` : ""}+00${era}`;
  return { ok: true, literal: literalText, isZero: utc.getTime() === ZERO_MS && !/[1-9]/.test(fraction) };
}
