// Workers: the same primitives as crypto-node.ts, on WebCrypto, which workerd implements natively
// (BoringSSL); there is no node:crypto there.
import { base64url } from "jose";

export type VerifyKey = CryptoKey;
export type RuntimeKey = CryptoKey;

/** `x`: the public key of an Ed25519 JWK (base64url). */
export function importVerifyKey(x: string): Promise<VerifyKey> {
  return crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, { name: "Ed25519" }, false, ["verify"]);
}

/** Whether `signature` is `key`'s Ed25519 signature of `data`; never rejects (a bad length is a refusal). */
export async function verifyEd25519(key: VerifyKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature as BufferSource, data as BufferSource);
  } catch {
    return false;
  }
}

export function runtimeKey(key: CryptoKey): RuntimeKey {
  return key;
}

export async function signEd25519(key: RuntimeKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, data as BufferSource));
}

export async function hmacSha256(key: RuntimeKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data as BufferSource));
}

/** crypto.subtle.verify compares in constant time. */
export function verifyHmacSha256(key: RuntimeKey, mac: Uint8Array, data: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify("HMAC", key, mac as BufferSource, data as BufferSource);
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
}

/** A canonical base64url segment (the caller checks the alphabet and length): jose's decoder, as before. */
export function decodeBase64url(segment: string): Uint8Array {
  return base64url.decode(segment);
}

export function encodeBase64url(bytes: Uint8Array): string {
  return base64url.encode(bytes);
}
