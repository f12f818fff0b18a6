// Coder's password rules (coderd/userpassword/userpassword.go): at most 64 characters and at least 52 bits of entropy,
// estimated the way go-password-validator does (character pools used × length without runs and
// keyboard/alphabet sequences), with its advice text.
const MIN_ENTROPY_BITS = 52;
const MAX_LENGTH = 64;

const REPLACE_CHARS = "!@$&*";
const SEP_CHARS = "_-., ";
const OTHER_SPECIAL_CHARS = "\"#%'()+/:;<=>?[\\]^{|}~";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SEQUENCES = ["0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", LOWER];

interface Pools {
  replace: boolean;
  sep: boolean;
  otherSpecial: boolean;
  lower: boolean;
  upper: boolean;
  digits: boolean;
  base: number;
}

// The pool of each ASCII character (0: none of them, counted one by one like any other character).
const REPLACE = 1;
const SEP = 2;
const OTHER_SPECIAL = 3;
const LOWER_POOL = 4;
const UPPER_POOL = 5;
const DIGIT_POOL = 6;
const POOL_OF = new Uint8Array(128);
for (const [chars, pool] of [
  [REPLACE_CHARS, REPLACE],
  [SEP_CHARS, SEP],
  [OTHER_SPECIAL_CHARS, OTHER_SPECIAL],
  [LOWER, LOWER_POOL],
  [UPPER, UPPER_POOL],
  [DIGITS, DIGIT_POOL],
] as const) {
  for (const c of chars) POOL_OF[c.charCodeAt(0)] = pool;
}

// Every pair of neighbours in a sequence ("ab", "qw", "12"), indexed by their two character codes.
const SEQUENCE_PAIR = new Uint8Array(128 * 128);
for (const s of SEQUENCES) for (let i = 1; i < s.length; i++) SEQUENCE_PAIR[s.charCodeAt(i - 1) * 128 + s.charCodeAt(i)] = 1;

// The strength is judged before the length, as Coder does, so pools and effectiveLength run over whatever a
// public route is sent (up to the 1 MiB body limit): plain loops over code points, no string per character.

function pools(password: string): Pools {
  const seen = new Set<number>();
  const inPool = new Uint8Array(7);
  for (let i = 0; i < password.length; i++) {
    const cp = password.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    const pool = cp < 128 ? (POOL_OF[cp] as number) : 0;
    if (pool === 0) seen.add(cp);
    else inPool[pool] = 1;
  }
  const p: Pools = {
    replace: inPool[REPLACE] === 1,
    sep: inPool[SEP] === 1,
    otherSpecial: inPool[OTHER_SPECIAL] === 1,
    lower: inPool[LOWER_POOL] === 1,
    upper: inPool[UPPER_POOL] === 1,
    digits: inPool[DIGIT_POOL] === 1,
    base: 0,
  };
  p.base =
    seen.size +
    (p.replace ? REPLACE_CHARS.length : 0) +
    (p.sep ? SEP_CHARS.length : 0) +
    (p.otherSpecial ? OTHER_SPECIAL_CHARS.length : 0) +
    (p.lower ? 26 : 0) +
    (p.upper ? 26 : 0) +
    (p.digits ? 10 : 0);
  return p;
}

/** The ASCII code of a character's lower case, or -1 when that is not one ASCII character (no sequence has it). */
function lowerAsciiOf(cp: number, cache: Map<number, number>): number {
  if (cp < 128) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  let lower = cache.get(cp);
  if (lower === undefined) {
    // The Kelvin sign lower-cases to "k"; most others stay outside ASCII.
    const l = String.fromCodePoint(cp).toLowerCase();
    lower = l.length === 1 && l.charCodeAt(0) < 128 ? l.charCodeAt(0) : -1;
    cache.set(cp, lower);
  }
  return lower;
}

/**
 * Length after dropping the third and later characters of repeated runs ("aaaa") and sequences ("abcd"), case
 * ignored for sequences; the count stops early once it reaches `enough`.
 */
function effectiveLength(password: string, enough = Number.POSITIVE_INFINITY): number {
  const cache = new Map<number, number>();
  let length = 0;
  let run = 0;
  let seq = 0;
  let prev = -1;
  let prevLower = -1;
  for (let i = 0; i < password.length && length < enough; i++) {
    const cp = password.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    const lower = lowerAsciiOf(cp, cache);
    run = cp === prev ? run + 1 : 0;
    seq = prevLower >= 0 && lower >= 0 && SEQUENCE_PAIR[prevLower * 128 + lower] === 1 ? seq + 1 : 0;
    if (run < 2 && seq < 2) length++;
    prev = cp;
    prevLower = lower;
  }
  return length;
}

export function passwordEntropy(password: string): number {
  const { base } = pools(password);
  return base > 0 ? Math.log2(base) * effectiveLength(password) : 0;
}

/**
 * Undefined when acceptable, otherwise the reason in Coder's words. The strength is judged before the length,
 * in the order of Coder's `Validate`, so a long but weak password gets the strength advice.
 */
export function checkPassword(password: string): string | undefined {
  const weakness = strengthAdvice(password);
  if (weakness) return weakness;
  // Go's len(): bytes of UTF-8, not characters, so 22 three-byte characters (66 bytes) are too long there too.
  if (new TextEncoder().encode(password).length > MAX_LENGTH) return `password must be no more than ${MAX_LENGTH} characters`;
  return undefined;
}

/** go-password-validator's refusal of a password under the entropy floor, with its advice. */
function strengthAdvice(password: string): string | undefined {
  const p = pools(password);
  if (p.base > 0) {
    // Counting stops at the length that already reaches the floor: a long strong password is not scanned whole.
    const bitsPerChar = Math.log2(p.base);
    if (bitsPerChar * effectiveLength(password, Math.ceil(MIN_ENTROPY_BITS / bitsPerChar)) >= MIN_ENTROPY_BITS) return undefined;
  }
  const advice: string[] = [];
  if (!p.replace || !p.sep || !p.otherSpecial) advice.push("including more special characters");
  if (!p.lower) advice.push("using lowercase letters");
  if (!p.upper) advice.push("using uppercase letters");
  if (!p.digits) advice.push("using numbers");
  return advice.length === 0
    ? "insecure password, try using a longer password"
    : `insecure password, try ${advice.join(", ")} or using a longer password`;
}
