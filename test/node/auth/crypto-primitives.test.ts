// The runtime's primitives (#crypto): Node's node:crypto module and the WebCrypto module Workers get give
// the same bytes for the same input, and both match published vectors. A token signed by TokenService is
// byte for byte the one jose's SignJWT writes.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import * as node from "../../../src/auth/crypto-node.ts";
import * as web from "../../../src/auth/crypto-web.ts";
import { TokenService } from "../../../src/auth/tokens.ts";

const ISS = "http://gatehouse.test";
const bytes = (text: string) => new TextEncoder().encode(text);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** RFC 4231 §4.3, test case 2. */
const HMAC_KEY = bytes("Jefe");
const HMAC_DATA = bytes("what do ya want for nothing?");
const HMAC_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
/** FIPS 180-2 appendix B.1: SHA-256("abc"). */
const SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

const hmacKey = () => crypto.subtle.importKey("raw", HMAC_KEY, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);

/** The two modules have one interface; only their key types differ (KeyObject, CryptoKey). */
type Primitives = typeof node;
const modules: [string, Primitives, Primitives][] = [
  ["node:crypto", node, web as unknown as Primitives],
  ["WebCrypto", web as unknown as Primitives, node],
];

describe.each(modules)("%s primitives", (_name, impl, other) => {
  it("HMAC-SHA-256 and SHA-256 match the published vectors", async () => {
    const key = impl.runtimeKey(await hmacKey());
    expect(hex(await impl.hmacSha256(key, HMAC_DATA))).toBe(HMAC_SHA256);
    expect(hex(await impl.sha256(bytes("abc")))).toBe(SHA256_ABC);
  });

  it("accepts the right HMAC and refuses an altered or shortened one", async () => {
    const key = impl.runtimeKey(await hmacKey());
    const mac = Buffer.from(HMAC_SHA256, "hex");
    expect(await impl.verifyHmacSha256(key, mac, HMAC_DATA)).toBe(true);
    const altered = Uint8Array.from(mac);
    altered[31] = altered[31]! ^ 1;
    expect(await impl.verifyHmacSha256(key, altered, HMAC_DATA)).toBe(false);
    expect(await impl.verifyHmacSha256(key, mac.subarray(0, 16), HMAC_DATA)).toBe(false);
    expect(await impl.verifyHmacSha256(key, mac, bytes("what do ya want for something?"))).toBe(false);
  });

  it("signs with Ed25519 what the other runtime's module signs, and verifies it", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const data = bytes("header.payload");
    const signature = await impl.signEd25519(impl.runtimeKey(pair.privateKey), data);
    expect(hex(signature)).toBe(hex(await other.signEd25519(other.runtimeKey(pair.privateKey), data)));
    const { x } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    expect(await impl.verifyEd25519(await impl.importVerifyKey(x!), data, signature)).toBe(true);
  });

  it("encodes base64url without padding, as it decodes it", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const length of [0, 1, 2, 3, 31, 32, 256]) {
      const encoded = impl.encodeBase64url(all.subarray(0, length));
      expect(encoded).toBe(Buffer.from(all.subarray(0, length)).toString("base64url"));
      expect(hex(impl.decodeBase64url(encoded))).toBe(hex(all.subarray(0, length)));
    }
  });
});

describe("TokenService.sign", () => {
  it("writes byte for byte the token jose's SignJWT writes, and verifies it", async () => {
    const jwk = await TokenService.generateKey();
    const service = await TokenService.create([jwk], ISS, "http://audience.test");
    const claims = {
      userId: crypto.randomUUID(),
      keyId: crypto.randomUUID(),
      scopes: ["coder:all", "user:read"],
      issuedAt: new Date(1_700_000_000_500),
      expiresAt: new Date(1_900_000_000_999),
    };
    const privateKey = await crypto.subtle.importKey("jwk", { ...jwk, alg: undefined, use: undefined } as JsonWebKey, "Ed25519", false, [
      "sign",
    ]);
    const jose = await new SignJWT({ scp: claims.scopes })
      .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid!, typ: "JWT" })
      .setIssuer(ISS)
      .setAudience("http://audience.test")
      .setSubject(claims.userId)
      .setJti(claims.keyId)
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_900_000_000)
      .sign(privateKey);
    const token = await service.sign(claims);
    expect(token).toBe(jose);
    const verified = await service.verify(token);
    expect(verified.ok && verified.claims).toMatchObject({ sub: claims.userId, jti: claims.keyId, scp: claims.scopes });
  });

  it("refuses to sign a time that is not a date, as jose does", async () => {
    const service = await TokenService.create([await TokenService.generateKey()], ISS);
    const claims = { userId: "u", keyId: "k", scopes: [], issuedAt: new Date(Number.NaN), expiresAt: new Date() };
    await expect(service.sign(claims)).rejects.toThrow(TypeError);
  });
});
