// Readable names for tokens created without one ("quiet_hopper"), in the adjective_surname style of the
// names Coder gives such tokens. Uniqueness per user is the database's job (the unique index on
// (user_id, token_name)); the caller retries on a collision, and each retry adds more digits.

const ADJECTIVES = [
  "agile",
  "amber",
  "bold",
  "brave",
  "bright",
  "calm",
  "clever",
  "cosmic",
  "daring",
  "eager",
  "fearless",
  "gentle",
  "golden",
  "happy",
  "keen",
  "kind",
  "lively",
  "lucid",
  "mellow",
  "nimble",
  "patient",
  "quiet",
  "rapid",
  "serene",
  "sharp",
  "steady",
  "sunny",
  "swift",
  "tidy",
  "vivid",
  "witty",
  "zesty",
];

// People whose work computing stands on.
const SURNAMES = [
  "babbage",
  "backus",
  "bartik",
  "boole",
  "cerf",
  "clarke",
  "dijkstra",
  "easley",
  "engelbart",
  "hamilton",
  "hoare",
  "hopper",
  "johnson",
  "kahn",
  "knuth",
  "lamport",
  "liskov",
  "lovelace",
  "mccarthy",
  "noether",
  "perlman",
  "ritchie",
  "shannon",
  "sutherland",
  "thompson",
  "torvalds",
  "turing",
  "vaughan",
  "wilkes",
  "wing",
  "wozniak",
  "zuse",
];

function pick<T>(list: readonly T[]): T {
  // 32 entries each: a byte modulo 32 is unbiased.
  const [b] = crypto.getRandomValues(new Uint8Array(1));
  return list[b! % list.length]!;
}

function digits(n: number): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(n))) out += String(b % 10);
  return out;
}

/** A fresh name; `attempt` > 0 (a retry after a collision) appends `attempt` random digits. */
export function generateTokenName(attempt = 0): string {
  const base = `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
  return attempt > 0 ? `${base}${digits(attempt)}` : base;
}
