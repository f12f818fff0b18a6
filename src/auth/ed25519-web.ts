// Workers: WebCrypto's Ed25519, which workerd implements natively (BoringSSL); no node:crypto there.
import { base64url } from "jose";

export type VerifyKey = CryptoKey;

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

/** A canonical base64url segment (the caller checks the alphabet and length): jose's decoder, as before. */
export function decodeBase64url(segment: string): Uint8Array {
  return base64url.decode(segment);
}
