// The checks jose's jwtVerify makes around the signature, in its order, so that a token refused by it is
// refused here with the same answer (but for one departure, made by the caller: an expired token is refused
// before its signature, src/auth/tokens.ts); only the signature itself is left to the caller, who verifies it
// with the runtime's cheapest Ed25519 (#crypto). Mirrors jose 6 lib/jws_verify.js (verifySignature),
// lib/validate.js (validateCrit, validateB64, parseJoseHeader) and lib/jwt_claims_set.js (validateClaimsSet).
// Segments are decoded as jose's base64url.decode decodes them (decodeSegment).
import { decodeBase64url, encodeBase64url } from "#crypto";
import { base64url, type JWSHeaderParameters, type JWTPayload } from "jose";

/** Why a token is refused before its claims are trusted; "forged" is the caller's (the signature). */
export type Refusal = "malformed" | "invalid";

export interface CompactJws {
  header: JWSHeaderParameters;
  /** ASCII bytes of `header.payload`, what the signature covers. */
  signingInput: Uint8Array;
  signature: Uint8Array;
  /** base64url of the claims (decodeClaims); trusted only once the signature holds. */
  payload: string;
  /** false for an RFC 7797 unencoded payload, which no JWT may use (refused after the signature, as jose does). */
  b64: boolean;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** A segment as every signer writes it: the base64url alphabet, no padding, no whitespace. */
const CANONICAL_SEGMENT = /^[A-Za-z0-9_-]*$/;

/**
 * jose's base64url.decode, answered by the runtime's native decoder for a canonical segment: jose maps that
 * alphabet onto base64's and decodes it with atob (or Uint8Array.fromBase64), which refuses only a length
 * of 4n+1 and otherwise yields these same bytes. Anything else (padding, whitespace, other characters) goes
 * to jose's decode for its exact answer. jose's own loop over atob cost about 4 µs of a refusal on Node.
 */
function decodeSegment(segment: string): Uint8Array {
  return segment.length % 4 !== 1 && CANONICAL_SEGMENT.test(segment) ? decodeBase64url(segment) : base64url.decode(segment);
}

/** jose's parseJoseHeader: strict UTF-8, JSON, an object (JSON.parse makes only plain ones); else undefined. */
function protectedHeader(segment: string): JWSHeaderParameters | undefined {
  if (!segment) return undefined;
  try {
    const header: unknown = JSON.parse(strictUtf8.decode(decodeSegment(segment)));
    return typeof header === "object" && header !== null && !Array.isArray(header) ? (header as JWSHeaderParameters) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The protected header, signing input and signature of a compact JWS whose `alg` is `alg`; the length
 * bound and the three-part shape are the caller's. An unparseable header, a bad `crit` or `b64`, a
 * non-ASCII payload or a signature that is not base64url are "malformed"; another algorithm "invalid".
 */
export function parseCompactJws(token: string, alg: string): CompactJws | Refusal {
  const dot = token.indexOf(".");
  const dot2 = token.indexOf(".", dot + 1);
  const header = protectedHeader(token.slice(0, dot));
  if (!header) return "malformed";
  // The allow-list: one algorithm, so "none", HS* (a public key used as an HMAC secret) and RS* never reach a verifier.
  if (header.alg !== alg) return "invalid";
  const b64 = critB64(header);
  if (b64 === undefined) return "malformed";
  const payload = token.slice(dot + 1, dot2);
  if (!isAscii(payload)) return "malformed";
  let signature: Uint8Array;
  try {
    signature = decodeSegment(token.slice(dot2 + 1));
  } catch {
    return "malformed";
  }
  return { header, signingInput: encoder.encode(token.slice(0, dot2)), signature, payload, b64 };
}

/**
 * A compact JWS (RFC 7515 §7.1) of `payload` under `encodedHeader` (the protected header, already base64url),
 * as jose's CompactSign writes one: base64url(JSON) segments joined by dots, the signature over the ASCII of
 * the first two.
 */
export async function signCompactJws(
  encodedHeader: string,
  payload: object,
  sign: (signingInput: Uint8Array) => Promise<Uint8Array>,
): Promise<string> {
  const signingInput = `${encodedHeader}.${encodeBase64url(encoder.encode(JSON.stringify(payload)))}`;
  return `${signingInput}.${encodeBase64url(await sign(encoder.encode(signingInput)))}`;
}

/** jose refuses a payload it cannot sign as ASCII bytes (encodeAsciiMember), before the signature. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * RFC 7515 §4.1.11: every critical extension must be understood. jose understands only `b64` (RFC 7797),
 * which must then be a boolean. Returns the payload's `b64`, or undefined when the header is refused.
 */
function critB64(header: JWSHeaderParameters): boolean | undefined {
  const { crit } = header;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((p) => typeof p !== "string" || p.length === 0)) return undefined;
  for (const parameter of crit) {
    if (parameter !== "b64" || header.b64 === undefined) return undefined;
  }
  return typeof header.b64 === "boolean" ? header.b64 : undefined;
}

export type ClaimsCheck =
  | { ok: true; payload: JWTPayload }
  | { ok: false; reason: Refusal }
  | { ok: false; reason: "expired"; exp: number };

/** A payload that is not base64url of strict UTF-8 JSON. */
export const UNREADABLE = Symbol("unreadable claims");

/** The claims segment decoded as jose decodes it: any JSON value, or UNREADABLE. */
export function decodeClaims(payload: string): unknown {
  try {
    return JSON.parse(strictUtf8.decode(decodeSegment(payload)));
  } catch {
    return UNREADABLE;
  }
}

/** The decoded claims' `exp` when it is a number that has passed, else undefined. */
export function passedExp(claims: unknown, now: number): number | undefined {
  const exp = typeof claims === "object" && claims !== null ? (claims as JWTPayload).exp : undefined;
  return typeof exp === "number" && exp <= now ? exp : undefined;
}

/**
 * The claims (decodeClaims) of a token whose signature holds: a JSON object with `required` present, our
 * `iss`, our `aud` (a string or an array holding it), numeric `iat`, `nbf` not in the future and `exp` in the
 * future, with no clock tolerance (jose's default, which the service has always used).
 */
export function checkClaims(
  claims: unknown,
  expected: { issuer: string; audience: string; required: readonly string[] },
  now: number,
): ClaimsCheck {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return { ok: false, reason: "malformed" };
  const set = claims as JWTPayload;
  for (const claim of [...expected.required, "aud", "iss"]) {
    if (!Object.hasOwn(set, claim)) return { ok: false, reason: "invalid" };
  }
  if (set.iss !== expected.issuer) return { ok: false, reason: "invalid" };
  const aud = set.aud;
  if (!(typeof aud === "string" ? aud === expected.audience : Array.isArray(aud) && aud.includes(expected.audience))) {
    return { ok: false, reason: "invalid" };
  }
  if (set.iat !== undefined && typeof set.iat !== "number") return { ok: false, reason: "invalid" };
  if (set.nbf !== undefined && (typeof set.nbf !== "number" || set.nbf > now)) return { ok: false, reason: "invalid" };
  if (set.exp !== undefined) {
    if (typeof set.exp !== "number") return { ok: false, reason: "invalid" };
    if (set.exp <= now) return { ok: false, reason: "expired", exp: set.exp };
  }
  return { ok: true, payload: set };
}
