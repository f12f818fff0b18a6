// Session and API tokens are compact EdDSA JWSs (docs/tokens-and-scopes.md). Verification here is pure
// cryptography: no database, so malformed, forged, foreign and expired tokens cost nothing to refuse.
// Signing writes what jose's SignJWT writes, byte for byte, and verification makes jose's checks
// (compact-jwt.ts), both around the runtime's cheapest Ed25519 (#crypto: node:crypto on Node, WebCrypto on
// Workers); verified tokens are remembered (token-cache.ts).
import {
  encodeBase64url,
  hmacSha256,
  importVerifyKey,
  type RuntimeKey,
  runtimeKey,
  signEd25519,
  type VerifyKey,
  verifyEd25519,
  verifyHmacSha256,
} from "#crypto";
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { checkClaims, decodeClaims, parseCompactJws, passedExp, signCompactJws, UNREADABLE } from "./compact-jwt.ts";
import { DEFAULT_TOKEN_CACHE_BYTES, ENTRY_OVERHEAD_BYTES, VerifiedTokenCache } from "./token-cache.ts";

const ALG = "EdDSA";
/** Far above any token we issue (~400 bytes); longer input is refused before parsing. */
const MAX_TOKEN_LENGTH = 4096;
const REQUIRED_CLAIMS = ["sub", "jti", "exp", "iat"] as const;

export interface TokenClaims {
  /** user id */
  sub: string;
  /** api_keys.id */
  jti: string;
  scp: string[];
  iat: number;
  exp: number;
}

/** A NumericDate (RFC 7519 §2), as jose's setIssuedAt and setExpirationTime take one from a number. */
function wholeSeconds(date: Date): number {
  const seconds = Math.floor(date.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new TypeError("a token's times must be valid dates");
  return seconds;
}

export type VerifyResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: "malformed" | "invalid" | "forged" }
  | { ok: false; reason: "expired"; expiredAt: Date };

interface SigningKey {
  kid: string;
  privateKey: RuntimeKey;
  /** The protected header of the tokens this key signs, encoded once. */
  header: string;
  publicJwk: JWK;
  publicKey: VerifyKey;
}

export class TokenService {
  readonly issuer: string;
  readonly audience: string;
  private readonly keys: SigningKey[];
  private readonly byKid: Map<string, SigningKey>;
  /** HKDF input keying material: the signing key's private scalar (see macKey). */
  private readonly macSecret: CryptoKey;
  private readonly macKeys = new Map<string, Promise<CryptoKey>>();
  private readonly runtimeMacKeys = new Map<string, Promise<RuntimeKey>>();
  /** Verified tokens of these keys only: a new service (a restart without a key) starts empty. */
  private readonly cache: VerifiedTokenCache<TokenClaims>;

  private constructor(keys: SigningKey[], issuer: string, audience: string, macSecret: CryptoKey, cacheBytes: number) {
    this.keys = keys;
    this.cache = new VerifiedTokenCache(cacheBytes);
    this.issuer = issuer;
    this.audience = audience;
    this.byKid = new Map(keys.map((k) => [k.kid, k]));
    this.macSecret = macSecret;
  }

  /**
   * An HMAC-SHA-256 key for one `purpose` (such as the login device cookie), derived with HKDF (RFC 5869)
   * from the signing key's private scalar and bound to this service's audience: one secret to manage, no
   * key shared between purposes or tenants, and the same on Node and Workers (WebCrypto only). A rotation
   * of the signing key changes it, which forgets what it signed (the device cookies).
   */
  macKey(purpose: string): Promise<CryptoKey> {
    let key = this.macKeys.get(purpose);
    if (!key) {
      key = crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new TextEncoder().encode("gatehouse derived keys v1"),
          info: new TextEncoder().encode(`${purpose}\0${this.audience}`),
        },
        this.macSecret,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign", "verify"],
      );
      this.macKeys.set(purpose, key);
    }
    return key;
  }

  /** The HMAC-SHA-256 of `data` under macKey(purpose), by the runtime's cheapest HMAC (#crypto). */
  async hmac(purpose: string, data: Uint8Array): Promise<Uint8Array> {
    return hmacSha256(await this.runtimeMacKey(purpose), data);
  }

  /** Whether `mac` is hmac(purpose, data), compared in constant time. */
  async verifyHmac(purpose: string, mac: Uint8Array, data: Uint8Array): Promise<boolean> {
    return verifyHmacSha256(await this.runtimeMacKey(purpose), mac, data);
  }

  private runtimeMacKey(purpose: string): Promise<RuntimeKey> {
    let key = this.runtimeMacKeys.get(purpose);
    if (!key) {
      key = this.macKey(purpose).then(runtimeKey);
      this.runtimeMacKeys.set(purpose, key);
    }
    return key;
  }

  /**
   * `privateJwks`: Ed25519 private JWKs; the first signs, every one verifies. `cacheBytes` bounds the cache
   * of verified tokens (0 turns it off).
   */
  static async create(
    privateJwks: JWK[],
    issuer: string,
    audience = issuer,
    { cacheBytes = DEFAULT_TOKEN_CACHE_BYTES }: { cacheBytes?: number } = {},
  ): Promise<TokenService> {
    if (privateJwks.length === 0) throw new Error("at least one signing key is required");
    const keys = await Promise.all(
      privateJwks.map(async (jwk): Promise<SigningKey> => {
        if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
          throw new Error("signing keys must be Ed25519 private JWKs (kty OKP, crv Ed25519, with d and x)");
        }
        const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
        const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: ALG, use: "sig" };
        return {
          kid,
          privateKey: runtimeKey((await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey),
          header: encodeBase64url(new TextEncoder().encode(JSON.stringify({ alg: ALG, kid, typ: "JWT" }))),
          publicKey: await importVerifyKey(jwk.x),
          publicJwk,
        };
      }),
    );
    const macSecret = await crypto.subtle.importKey("raw", base64url.decode(privateJwks[0]!.d!), "HKDF", false, ["deriveKey"]);
    return new TokenService(keys, issuer, audience, macSecret, cacheBytes);
  }

  /** A fresh Ed25519 private JWK with a thumbprint `kid`, for first start and for rotation. */
  static async generateKey(): Promise<JWK> {
    const { privateKey } = await generateKeyPair(ALG, { crv: "Ed25519", extractable: true });
    const jwk = await exportJWK(privateKey);
    return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, use: "sig" };
  }

  /** The public half of every verifying key, for /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /**
   * The token jose's `new SignJWT({ scp }).setProtectedHeader({ alg, kid, typ: "JWT" }).setIssuer()...
   * .setExpirationTime().sign()` writes, with the claims in that order (Ed25519 signatures are deterministic:
   * test/node/auth/crypto-primitives.test.ts compares the two byte for byte). Written here because jose
   * signs through WebCrypto: on Node its SignJWT cost 92 µs of CPU per token, node:crypto's signature 30 µs
   * (docs/performance.md).
   */
  async sign(claims: { userId: string; keyId: string; scopes: string[]; issuedAt: Date; expiresAt: Date }): Promise<string> {
    const signer = this.keys[0]!;
    const payload = {
      scp: claims.scopes,
      iss: this.issuer,
      aud: this.audience,
      sub: claims.userId,
      jti: claims.keyId,
      iat: wholeSeconds(claims.issuedAt),
      exp: wholeSeconds(claims.expiresAt),
    };
    return signCompactJws(signer.header, payload, (input) => signEd25519(signer.privateKey, input));
  }

  /** The same answers as jose's jwtVerify with our key, issuer, audience and required claims. */
  async verify(token: string): Promise<VerifyResult> {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(token, now);
    if (cached) return { ok: true, claims: cached };
    if (token.length > MAX_TOKEN_LENGTH || token.split(".").length !== 3) return { ok: false, reason: "malformed" };
    const jws = parseCompactJws(token, ALG);
    if (typeof jws === "string") return { ok: false, reason: jws };
    const key = typeof jws.header.kid === "string" ? this.byKid.get(jws.header.kid) : undefined;
    if (!key) return { ok: false, reason: "invalid" };
    const decoded = jws.b64 ? decodeClaims(jws.payload) : UNREADABLE;
    // Past its exp a token is refused before its signature is checked: no signature could make it
    // acceptable, and clients that keep sending a stale session (a CLI, a tab left open) are then answered
    // without one. The one departure from jose's order: jose would call such a token forged, or name another
    // failing claim, first (docs/tokens-and-scopes.md).
    const passed = passedExp(decoded, now);
    if (passed !== undefined) return { ok: false, reason: "expired", expiredAt: new Date(passed * 1000) };
    if (!(await verifyEd25519(key.publicKey, jws.signingInput, jws.signature))) return { ok: false, reason: "forged" };
    if (!jws.b64) return { ok: false, reason: "malformed" };
    const checked = checkClaims(decoded, { issuer: this.issuer, audience: this.audience, required: REQUIRED_CLAIMS }, now);
    if (!checked.ok) {
      return checked.reason === "expired"
        ? { ok: false, reason: "expired", expiredAt: new Date(checked.exp * 1000) }
        : { ok: false, reason: checked.reason };
    }
    const { payload } = checked;
    const scp = Array.isArray(payload.scp) && payload.scp.every((s) => typeof s === "string") ? (payload.scp as string[]) : undefined;
    if (!scp) return { ok: false, reason: "invalid" };
    // Frozen: every request holding this token shares the object.
    const claims: TokenClaims = Object.freeze({
      sub: payload.sub!,
      jti: payload.jti!,
      scp: Object.freeze(scp) as string[],
      iat: payload.iat!,
      exp: payload.exp!,
    });
    const bytes = token.length + claims.sub.length + claims.jti.length + scp.reduce((n, s) => n + s.length + 16, 0) + ENTRY_OVERHEAD_BYTES;
    this.cache.set(token, claims, claims.exp, bytes, now);
    return { ok: true, claims };
  }

  /** The verified-token cache's size, for tests and diagnostics. */
  cacheStats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes, maxBytes: this.cache.maxBytes };
  }
}
