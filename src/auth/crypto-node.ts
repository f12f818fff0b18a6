// Node: the primitives the request path uses, through node:crypto, which calls OpenSSL synchronously. On
// Node, WebCrypto costs several times as much for each of them (its promise plumbing and per-call key and
// algorithm checks dominate such small inputs): an Ed25519 verify twice as much (bench/verify.ts), an
// HMAC-SHA-256 or a SHA-256 digest 15–30 µs against 1–2 µs, an Ed25519 signature 66 against 30 µs
// (docs/performance.md). Workers have no node:crypto: crypto-web.ts is the same interface on WebCrypto.
import { createHash, createHmac, createPublicKey, KeyObject, sign, timingSafeEqual, verify, type webcrypto } from "node:crypto";

export type VerifyKey = KeyObject;
/** A private Ed25519 key, or an HMAC key, as this runtime uses it. */
export type RuntimeKey = KeyObject;

/** `x`: the public key of an Ed25519 JWK (base64url). */
export function importVerifyKey(x: string): Promise<VerifyKey> {
  return Promise.resolve(createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }));
}

/** Whether `signature` is `key`'s Ed25519 signature of `data`; never throws (a bad length is a refusal). */
export function verifyEd25519(key: VerifyKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

/** A WebCrypto key (an Ed25519 private key, an HMAC key) as node:crypto takes it; extractable or not. */
export function runtimeKey(key: CryptoKey): RuntimeKey {
  // The global CryptoKey type (lib.dom) and node:crypto's are the same object under two declarations.
  return KeyObject.from(key as webcrypto.CryptoKey);
}

/** The Ed25519 signature of `data` by the private `key`. */
export function signEd25519(key: RuntimeKey, data: Uint8Array): Promise<Uint8Array> {
  return Promise.resolve(sign(null, data, key));
}

export function hmacSha256(key: RuntimeKey, data: Uint8Array): Promise<Uint8Array> {
  return Promise.resolve(createHmac("sha256", key).update(data).digest());
}

/** Whether `mac` is `key`'s HMAC-SHA-256 of `data`, compared in constant time. */
export function verifyHmacSha256(key: RuntimeKey, mac: Uint8Array, data: Uint8Array): Promise<boolean> {
  const expected = createHmac("sha256", key).update(data).digest();
  return Promise.resolve(mac.length === expected.length && timingSafeEqual(mac, expected));
}

export function sha256(data: Uint8Array): Promise<Uint8Array> {
  return Promise.resolve(createHash("sha256").update(data).digest());
}

/** A canonical base64url segment (the caller checks the alphabet and length), by Node's native decoder. */
export function decodeBase64url(segment: string): Uint8Array {
  return Buffer.from(segment, "base64url");
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}
