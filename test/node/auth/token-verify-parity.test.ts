// The hand-assembled verifier (jose's checks around node:crypto) gives the answer jose's jwtVerify gave for
// every token shape an attacker can send: the same reason for each, in the same order of checks, but for
// one documented departure (expiredFirst).
import { base64url, errors, jwtVerify, SignJWT, type JWK } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenService, type VerifyResult } from "../../../src/auth/tokens.ts";

const ISS = "http://gatehouse.test";
const HOUR = 3600;
const enc = (v: unknown) => base64url.encode(typeof v === "string" ? v : JSON.stringify(v));

let key: JWK;
let service: TokenService;
let signer: CryptoKey;
let verifier: CryptoKey;

beforeAll(async () => {
  key = await TokenService.generateKey();
  service = await TokenService.create([key], ISS, ISS, { cacheBytes: 0 });
  signer = await crypto.subtle.importKey(
    "jwk",
    { ...key, alg: undefined, use: undefined, key_ops: ["sign"] } as JsonWebKey,
    "Ed25519",
    false,
    ["sign"],
  );
  verifier = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: key.x }, "Ed25519", false, ["verify"]);
});

/** What TokenService.verify answered when it called jose's jwtVerify (its mapping of jose's errors). */
async function joseAnswer(token: string): Promise<string> {
  if (token.length > 4096 || token.split(".").length !== 3) return "malformed";
  try {
    const [h] = token.split(".");
    const header = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(h!)));
    if (typeof header !== "object" || header === null || Array.isArray(header)) return "malformed";
    if (header.alg !== "EdDSA") return "invalid";
    if (header.kid !== key.kid) return "invalid";
    const expired = expiredFirst(token, header);
    if (expired) return expired;
  } catch {
    return "malformed";
  }
  try {
    const { payload } = await jwtVerify(token, verifier, {
      algorithms: ["EdDSA"],
      issuer: ISS,
      audience: ISS,
      requiredClaims: ["sub", "jti", "exp", "iat"],
    });
    const ok = Array.isArray(payload.scp) && payload.scp.every((s) => typeof s === "string");
    return ok ? "ok" : "invalid";
  } catch (err) {
    if (err instanceof errors.JWTExpired) return `expired@${err.payload.exp}`;
    if (err instanceof errors.JWSSignatureVerificationFailed) return "forged";
    if (err instanceof errors.JWTClaimValidationFailed) return "invalid";
    return "malformed";
  }
}

/**
 * Gatehouse's one departure from jose's order (src/auth/tokens.ts): once the header passes, readable claims
 * whose numeric `exp` has passed make the token expired, before its signature and its other claims.
 */
function expiredFirst(token: string, header: { crit?: unknown; b64?: unknown }): string | undefined {
  // No `crit`, or `crit: ["b64"]` with `b64: true`: jose refuses any other `crit` with the header, and
  // `b64: false` leaves no claims to read.
  const critOk = Array.isArray(header.crit) && header.crit.length > 0 && header.crit.every((p) => p === "b64") && header.b64 === true;
  if (header.crit !== undefined && !critOk) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(token.split(".")[1]!)));
  } catch {
    return undefined;
  }
  const exp = typeof claims === "object" && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
  return typeof exp === "number" && exp <= Math.floor(Date.now() / 1000) ? `expired@${exp}` : undefined;
}

const answer = (r: VerifyResult) => (r.ok ? "ok" : r.reason === "expired" ? `expired@${r.expiredAt.getTime() / 1000}` : r.reason);

async function signRaw(headerSegment: string, payloadSegment: string): Promise<string> {
  const input = new TextEncoder().encode(`${headerSegment}.${payloadSegment}`);
  const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", signer, input));
  return `${headerSegment}.${payloadSegment}.${base64url.encode(sig)}`;
}

function cases(): Record<string, () => Promise<string>> {
  const now = Math.floor(Date.now() / 1000);
  const h = () => ({ alg: "EdDSA", kid: key.kid, typ: "JWT" });
  const c = () => ({ scp: ["coder:all"], iss: ISS, aud: ISS, sub: "u", jti: "k", iat: now, exp: now + HOUR });
  const signed = (header: object, claims: object | string) => signRaw(enc(header), enc(claims));
  const unsigned = async (header: object, claims: object | string) =>
    `${enc(header)}.${enc(claims)}.${base64url.encode(new Uint8Array(64))}`;
  const without = (k: string) => Object.fromEntries(Object.entries(c()).filter(([n]) => n !== k));
  return {
    good: () => signed(h(), c()),
    "aud array holding ours": () => signed(h(), { ...c(), aud: ["x", ISS] }),
    "aud array without ours": () => signed(h(), { ...c(), aud: ["x"] }),
    "aud number": () => signed(h(), { ...c(), aud: 1 }),
    "foreign iss": () => signed(h(), { ...c(), iss: "http://evil.test" }),
    "foreign aud": () => signed(h(), { ...c(), aud: "http://evil.test" }),
    expired: () => signed(h(), { ...c(), exp: now - 10 }),
    "exp now": () => signed(h(), { ...c(), exp: now }),
    "exp string": () => signed(h(), { ...c(), exp: String(now + HOUR) }),
    "iat string": () => signed(h(), { ...c(), iat: "yesterday" }),
    "nbf future": () => signed(h(), { ...c(), nbf: now + 100 }),
    "nbf next second": () => signed(h(), { ...c(), nbf: now + 1 }),
    "nbf now": () => signed(h(), { ...c(), nbf: now }),
    "exp next second": () => signed(h(), { ...c(), exp: now + 1 }),
    "nbf past": () => signed(h(), { ...c(), nbf: now - 100 }),
    "nbf string": () => signed(h(), { ...c(), nbf: "0" }),
    "no sub": () => signed(h(), without("sub")),
    "no jti": () => signed(h(), without("jti")),
    "no exp": () => signed(h(), without("exp")),
    "no iat": () => signed(h(), without("iat")),
    "no iss": () => signed(h(), without("iss")),
    "no aud": () => signed(h(), without("aud")),
    "scp not array": () => signed(h(), { ...c(), scp: "coder:all" }),
    "scp of numbers": () => signed(h(), { ...c(), scp: [1] }),
    "claims an array": () => signed(h(), [1]),
    "claims not JSON": () => signed(h(), "not json"),
    "claims null": () => signed(h(), "null"),
    "claims bad utf-8": () => signRaw(enc(h()), base64url.encode(new Uint8Array([0x7b, 0xff, 0x7d]))),
    "alg none": () => unsigned({ ...h(), alg: "none" }, c()).then((t) => `${t.split(".").slice(0, 2).join(".")}.`),
    "alg HS256": () => unsigned({ ...h(), alg: "HS256" }, c()),
    "alg RS256": () => unsigned({ ...h(), alg: "RS256" }, c()),
    "alg Ed25519": () => signed({ ...h(), alg: "Ed25519" }, c()),
    "no alg": () => signed({ kid: key.kid }, c()),
    "unknown kid": () => signed({ ...h(), kid: "nope" }, c()),
    "kid number": () => signed({ ...h(), kid: 1 }, c()),
    "no kid": () => signed({ alg: "EdDSA" }, c()),
    "crit unknown": () => signed({ ...h(), crit: ["exp"], exp: 1 }, c()),
    "crit unknown, forged": () => unsigned({ ...h(), crit: ["exp"], exp: 1 }, c()),
    "crit empty": () => signed({ ...h(), crit: [] }, c()),
    "crit not array": () => signed({ ...h(), crit: "b64" }, c()),
    "crit b64 missing": () => signed({ ...h(), crit: ["b64"] }, c()),
    "crit b64 not boolean": () => signed({ ...h(), crit: ["b64"], b64: "no" }, c()),
    "crit b64 true": () => signed({ ...h(), crit: ["b64"], b64: true }, c()),
    "crit b64 false": () => signed({ ...h(), crit: ["b64"], b64: false }, c()),
    "crit b64 false, forged": () => unsigned({ ...h(), crit: ["b64"], b64: false }, c()),
    "b64 false without crit": () => signed({ ...h(), b64: false }, c()),
    "header an array": () => signed([1], c()),
    "header not base64url": async () => `e+y.${enc(c())}.${base64url.encode(new Uint8Array(64))}`,
    "forged signature": () => unsigned(h(), c()),
    "forged and expired": () => unsigned(h(), { ...c(), exp: now - 10 }),
    "foreign iss and expired": () => signed(h(), { ...c(), iss: "http://evil.test", exp: now - 10 }),
    "no sub and expired": () => signed(h(), { ...without("sub"), exp: now - 10 }),
    "crit unknown and expired": () => unsigned({ ...h(), crit: ["exp"], exp: 1 }, { ...c(), exp: now - 10 }),
    "short signature": async () => (await signed(h(), c())).slice(0, -10),
    "empty signature": async () => (await signed(h(), c())).replace(/\.[^.]*$/, "."),
    "signature not base64url": async () => `${(await signed(h(), c())).slice(0, -2)}+/`,
    "signature padded": async () => `${await signed(h(), c())}==`,
    "signature with a character base64url lacks": async () => `${await signed(h(), c())}!`,
    "signature with a space": async () => {
      const t = await signed(h(), c());
      return `${t.slice(0, -8)} ${t.slice(-8)}`;
    },
    "signature of 4n+1 characters": async () => `${await signed(h(), c())}A`,
    "header padded": async () => {
      const [hs, ps, ss] = (await signed(h(), c())).split(".");
      return `${hs}${"=".repeat((4 - (hs!.length % 4)) % 4)}.${ps}.${ss}`;
    },
    "header with a newline": async () => {
      const [hs, ps, ss] = (await signed(h(), c())).split(".");
      return `${hs!.slice(0, 4)}\n${hs!.slice(4)}.${ps}.${ss}`;
    },
    "header of 4n+1 characters": async () =>
      `${enc(h())}${"A".repeat((5 - (enc(h()).length % 4)) % 4)}.${enc(c())}.${base64url.encode(new Uint8Array(64))}`,
    "payload padded, signed": () => signRaw(enc(h()), `${enc(c())}==`),
    "payload non-ascii": async () => `${enc(h())}.é${enc(c())}.${base64url.encode(new Uint8Array(64))}`,
    "payload not base64url, signed": () => signRaw(enc(h()), "*not*base64*"),
    "two parts": async () => (await signed(h(), c())).split(".").slice(0, 2).join("."),
    "four parts": async () => `${await signed(h(), c())}.x`,
    oversized: () => signed(h(), { ...c(), pad: "A".repeat(5000) }),
    "empty header": async () => `.${enc(c())}.${base64url.encode(new Uint8Array(64))}`,
    "signed by jose": () =>
      new SignJWT({ scp: [] })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setIssuer(ISS)
        .setAudience(ISS)
        .setSubject("u")
        .setJti("k")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(signer),
  };
}

describe("node:crypto verifier against jose's jwtVerify", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers every case as jose did", async () => {
    // The clock stands still, so both verifiers judge the cases at a second's boundary at the same instant.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now());
    const table = cases();
    for (const [name, make] of Object.entries(table)) {
      const token = await make();
      expect({ name, answer: answer(await service.verify(token)) }).toEqual({ name, answer: await joseAnswer(token) });
    }
    // The table covers each answer, so agreement is not vacuous.
    const answers = new Set(
      await Promise.all(Object.values(table).map(async (make) => answer(await service.verify(await make())).split("@")[0])),
    );
    expect([...answers].sort()).toEqual(["expired", "forged", "invalid", "malformed", "ok"]);
  });
});
