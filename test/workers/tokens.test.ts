// Token verification inside workerd, where #crypto is WebCrypto (no node:crypto): a good token verifies
// (and is then served from the isolate's cache), a forged one is refused as forged, a foreign key's as invalid.
import { importVerifyKey, verifyEd25519 } from "#crypto";
import { describe, expect, it } from "vitest";
import { TokenService } from "../../src/auth/tokens.ts";

const ISS = "http://gatehouse.test";

describe("Ed25519 tokens in workerd", () => {
  it("verifies with WebCrypto's key type", async () => {
    const key = await TokenService.generateKey();
    expect(await importVerifyKey(key.x!)).toBeInstanceOf(CryptoKey);
  });

  it("verifies good tokens and refuses forged and foreign ones", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS);
    const other = await TokenService.create([await TokenService.generateKey()], ISS);
    const claims = { userId: "u", keyId: "k", scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
    const token = await tokens.sign(claims);
    const first = await tokens.verify(token);
    expect(first.ok).toBe(true);
    const again = await tokens.verify(token);
    expect(again.ok && again.claims).toBe(first.ok && first.claims);
    const [h, p, s] = token.split(".");
    const forged = `${h}.${p}.${s!.startsWith("A") ? "B" : "A"}${s!.slice(1)}`;
    expect(await tokens.verify(forged)).toEqual({ ok: false, reason: "forged" });
    expect(await tokens.verify(await other.sign(claims))).toEqual({ ok: false, reason: "invalid" }); // another kid
    expect(tokens.cacheStats().entries).toBe(1);
  });

  it("refuses a signature of the wrong length without throwing", async () => {
    const key = await TokenService.generateKey();
    const verifyKey = await importVerifyKey(key.x!);
    expect(await verifyEd25519(verifyKey, new Uint8Array([1]), new Uint8Array(3))).toBe(false);
  });
});
