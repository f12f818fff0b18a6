// Coder's daily cron schedules (coderd/schedule/cron/cron.go `Daily`, enterprise/coderd/schedule/user.go
// `parseSchedule`), the form of a user's quiet hours: an optional `CRON_TZ=<IANA zone>` prefix, then five
// fields of which only the minute and the hour vary, each a single number ("CRON_TZ=Europe/Paris 30 2 * * *").
// Parsed by hand rather than with a cron library: with three fields fixed to `*` and two to one number,
// what is left is two integers and a zone, and the zone is checked and the next start computed with Intl.
// Errors read as Coder's chain of wrapped Go errors, so a message matches what Coder would log.

export interface DailySchedule {
  /** The tidy form Coder stores and answers: `CRON_TZ=<zone> <minute> <hour> * * *`. */
  raw: string;
  /** The zone as written (UTC when the schedule names none), as Go's Location.String() gives it back. */
  timezone: string;
  hour: number;
  minute: number;
}

export type ParsedDaily = { ok: true; schedule: DailySchedule } | { ok: false; error: string };

const PREFIX = "CRON_TZ=";
const SINGLE = /^\d{1,2}$/;

/** Does Intl know the zone, spelt as the IANA database spells it (Go's LoadLocation is case-sensitive)? */
function knownZone(zone: string): boolean {
  if (zone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    return false;
  }
  const canonical = Intl.supportedValuesOf("timeZone");
  if (canonical.includes(zone)) return true;
  // Intl accepts any case; a canonical name in another case, or a segment in lower case, Go would not load.
  if (canonical.some((z) => z.toLowerCase() === zone.toLowerCase())) return false;
  return zone.split("/").every((segment) => /^[A-Z]/.test(segment));
}

/** What robfig/cron says of a minute or hour field it cannot read; undefined when it can. */
function check(field: string, max: number): string | undefined {
  if (!/^[\d,\-/*]+$/.test(field)) {
    const bad = field.split(/[,\-/]/).find((n) => !/^(\d+|\*)$/.test(n)) ?? field;
    return `failed to parse int from ${bad}: strconv.Atoi: parsing ${JSON.stringify(bad)}: invalid syntax`;
  }
  const tooBig = field
    .split(/[,-]/)
    .map((n) => Number(n.split("/")[0]))
    .find((n) => n > max);
  return tooBig === undefined ? undefined : `end of range (${tooBig}) above maximum (${max}): ${field}`;
}

/** Parses a daily schedule as Coder's `cron.Daily` plus the single-time rule of quiet hours. */
export function parseDaily(raw: string): ParsedDaily {
  const fail = (error: string): ParsedDaily => ({ ok: false, error: `parse daily schedule ${JSON.stringify(raw)}: ${error}` });
  const fields = raw.split(/\s+/).filter(Boolean);
  // validateDailySpec: counts and the three fixed fields, before anything is parsed.
  if (fields.length < 5) {
    return fail("validate daily schedule: expected schedule to consist of 5 fields with an optional CRON_TZ=<timezone> prefix");
  }
  const parts = fields.length === 6 ? fields.slice(1) : fields;
  if (parts[2] !== "*" || parts[3] !== "*" || parts[4] !== "*") {
    return fail("validate daily schedule: expected day-of-month, month and day-of-week to be *");
  }
  // parse: a schedule without the prefix is in UTC; the prefix counts only at the very start.
  const prefixed = raw.startsWith(PREFIX);
  const timezone = prefixed ? fields[0]!.slice(PREFIX.length) || "UTC" : "UTC";
  const spec = prefixed ? fields.slice(1) : fields;
  if (spec.length !== 5) return fail(`parse schedule: expected exactly 5 fields, found ${spec.length}: [${spec.join(" ")}]`);
  if (!knownZone(timezone)) return fail(`parse schedule: provided bad location ${timezone}: unknown time zone ${timezone}`);
  const [minuteField, hourField] = spec as [string, string];
  const fieldError = check(minuteField, 59) ?? check(hourField, 23);
  if (fieldError) return fail(`parse schedule: ${fieldError}`);
  if (!SINGLE.test(minuteField) || !SINGLE.test(hourField)) {
    // A range, list or step: quiet hours start at one time of day (enterprise/coderd/schedule/user.go).
    return { ok: false, error: `daily schedule ${JSON.stringify(raw)} has more than one time: cron(${minuteField} ${hourField})` };
  }
  const minute = Number(minuteField);
  const hour = Number(hourField);
  return { ok: true, schedule: { raw: `${PREFIX}${timezone} ${spec.join(" ")}`, timezone, hour, minute } };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "HH:MM", 24-hour (Coder's TimeFormatHHMM). */
export const startTime = (s: DailySchedule): string => `${pad(s.hour)}:${pad(s.minute)}`;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function wallClock(zone: string, at: number): Wall {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
}

/** The zone's offset from UTC at an instant, in minutes (seconds of historic offsets are dropped). */
function offsetAt(zone: string, at: number): number {
  const w = wallClock(zone, at);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((asUtc - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/**
 * The next start strictly after `now` (robfig/cron's `Next`): a start that falls in a daylight-saving gap does
 * not happen that day, and one the clock passes twice (when it falls back) is next at the earlier of the two.
 */
export function nextStart(s: DailySchedule, now: Date): { at: Date; offsetMinutes: number } {
  const today = wallClock(s.timezone, now.getTime());
  for (let days = 0; days <= 3; days++) {
    const naive = Date.UTC(today.year, today.month - 1, today.day + days, s.hour, s.minute);
    // The offsets in force around the wall time; each gives an instant, kept when the zone shows that wall time.
    const offsets = new Set([offsetAt(s.timezone, naive - 86_400_000), offsetAt(s.timezone, naive + 86_400_000)]);
    const candidates = [...offsets]
      .map((offset) => ({ at: naive - offset * 60_000, offset }))
      .filter((c) => {
        const w = wallClock(s.timezone, c.at);
        return w.hour === s.hour && w.minute === s.minute && c.at > now.getTime();
      })
      .sort((a, b) => a.at - b.at);
    if (candidates[0]) return { at: new Date(candidates[0].at), offsetMinutes: candidates[0].offset };
  }
  throw new Error(`no start of ${s.raw} within three days of ${now.toISOString()}`);
}

/** RFC 3339 in the schedule's zone, as Go marshals a time.Time in a location ("Z" for a zero offset). */
export function rfc3339InZone(at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (offsetMinutes === 0) return `${date}T${time}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
