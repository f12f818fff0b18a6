// Parsers that answer with the error text of the Go functions Coder calls, so a validation detail reads
// exactly as a Coder client expects it: https://pkg.go.dev/github.com/google/uuid#Parse and
// https://pkg.go.dev/strconv#ParseInt, https://pkg.go.dev/strconv#ParseBool.

const HEX32 = /^[0-9a-f]{32}$/i;

/**
 * google/uuid's Parse: the canonical form, `{...}`, `urn:uuid:...` or 32 bare hex digits, any case.
 * Returns the lower-case canonical form, or the error uuid.Parse would give.
 */
export function parseUuid(input: string): { id: string } | { error: string } {
  let s = input;
  switch (s.length) {
    case 36:
      break;
    case 38:
      if (s[0] !== "{" || s[37] !== "}") return { error: "invalid UUID format" };
      s = s.slice(1, 37);
      break;
    case 45:
      if (s.slice(0, 9).toLowerCase() !== "urn:uuid:") return { error: `invalid urn prefix: "${s.slice(0, 9)}"` };
      s = s.slice(9);
      break;
    case 32:
      if (!HEX32.test(s)) return { error: "invalid UUID format" };
      s = `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
      break;
    default:
      return { error: `invalid UUID length: ${input.length}` };
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return { error: "invalid UUID format" };
  return { id: s.toLowerCase() };
}

export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * strconv.ParseInt(s, 10, bits): an optional sign and decimal digits within the signed range. The value
 * is returned as a bigint so 64-bit ids keep every digit.
 */
export function parseGoInt(s: string, bits: 32 | 64): { value: bigint } | { error: string } {
  if (!/^[+-]?[0-9]+$/.test(s)) return { error: `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax` };
  const value = BigInt(s);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (value > max || value < -max - 1n) return { error: `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range` };
  return { value };
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** strconv.ParseBool: Go's twelve spellings, and its error for anything else. */
export function parseGoBool(s: string): { value: boolean } | { error: string } {
  if (TRUE.has(s)) return { value: true };
  if (FALSE.has(s)) return { value: false };
  return { error: `strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax` };
}
