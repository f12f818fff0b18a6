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

function pools(password: string): Pools {
  const p: Pools = { replace: false, sep: false, otherSpecial: false, lower: false, upper: false, digits: false, base: 0 };
  let others = 0;
  for (const ch of new Set(password)) {
    if (REPLACE_CHARS.includes(ch)) p.replace = true;
    else if (SEP_CHARS.includes(ch)) p.sep = true;
    else if (OTHER_SPECIAL_CHARS.includes(ch)) p.otherSpecial = true;
    else if (LOWER.includes(ch)) p.lower = true;
    else if (UPPER.includes(ch)) p.upper = true;
    else if (DIGITS.includes(ch)) p.digits = true;
    else others++;
  }
  p.base =
    others +
    (p.replace ? REPLACE_CHARS.length : 0) +
    (p.sep ? SEP_CHARS.length : 0) +
    (p.otherSpecial ? OTHER_SPECIAL_CHARS.length : 0) +
    (p.lower ? 26 : 0) +
    (p.upper ? 26 : 0) +
    (p.digits ? 10 : 0);
  return p;
}

/** Length after dropping the third and later characters of repeated runs ("aaaa") and sequences ("abcd"). */
function effectiveLength(password: string): number {
  const chars = [...password];
  let length = 0;
  let run = 0;
  let seq = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const prev = chars[i - 1];
    run = prev === c ? run + 1 : 0;
    const lc = c.toLowerCase();
    const lp = prev?.toLowerCase();
    const inSequence =
      lp !== undefined &&
      SEQUENCES.some((s) => {
        const a = s.indexOf(lp);
        return a >= 0 && s[a + 1] === lc;
      });
    seq = inSequence ? seq + 1 : 0;
    if (run < 2 && seq < 2) length++;
  }
  return length;
}

export function passwordEntropy(password: string): number {
  const { base } = pools(password);
  return base > 0 ? Math.log2(base) * effectiveLength(password) : 0;
}

/** Undefined when acceptable, otherwise the reason in Coder's words. */
export function checkPassword(password: string): string | undefined {
  // Go's len(): bytes of UTF-8, not characters, so 22 three-byte characters (66 bytes) are too long there too.
  if (new TextEncoder().encode(password).length > MAX_LENGTH) return `password must be no more than ${MAX_LENGTH} characters`;
  if (passwordEntropy(password) >= MIN_ENTROPY_BITS) return undefined;
  const p = pools(password);
  const advice: string[] = [];
  if (!p.replace || !p.sep || !p.otherSpecial) advice.push("including more special characters");
  if (!p.lower) advice.push("using lowercase letters");
  if (!p.upper) advice.push("using uppercase letters");
  if (!p.digits) advice.push("using numbers");
  return advice.length === 0
    ? "insecure password, try using a longer password"
    : `insecure password, try ${advice.join(", ")} or using a longer password`;
}
