// Time formats Coder clients parse: RFC 3339 with fractional seconds in JSON, Go's String() in messages.

/** RFC 3339 in UTC; null is Go's zero time ("never"), written as Coder writes it. */
export function rfc3339(d: Date | null): string {
  return d ? d.toISOString() : "0001-01-01T00:00:00Z";
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Go's time.Time.String() in UTC: `2024-01-01 10:00:00.123 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3).replace(/0+$/, "")}` : "";
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}
