// Node: Ed25519 through node:crypto's one-shot verify, which calls OpenSSL synchronously. It costs less than
// half of WebCrypto's verify on Node (bench/verify.ts), whose promise plumbing and per-call key checks
// dominate a 64-byte signature check.
import { createPublicKey, type KeyObject, verify } from "node:crypto";

export type VerifyKey = KeyObject;

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

/** A canonical base64url segment (the caller checks the alphabet and length), by Node's native decoder. */
export function decodeBase64url(segment: string): Uint8Array {
  return Buffer.from(segment, "base64url");
}
