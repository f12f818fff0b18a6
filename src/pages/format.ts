// Small display rules shared by the pages.

/** Go's zero time, which Coder's API sends for "never" (last_used of an unused key, for one). */
const GO_ZERO_YEAR = 1;

/** An RFC 3339 time as "2026-05-01 14:03 UTC", or `never` for Go's zero time. */
export function when(rfc3339: string, never = "Never"): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= GO_ZERO_YEAR) return never;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
