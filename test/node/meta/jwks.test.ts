// The published signing keys: /.well-known/jwks.json verifies Gatehouse's tokens, and rotation keeps old
// tokens working until their key is removed, then refuses them before any database work.
import { createLocalJWKSet, jwtVerify, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { ACCESS_URL, countQueries, expectSignedOut, json, jwtHeader, login, OWNER, useKnownKeyApp } from "../../support/harness.ts";

const { app, signingKey, owner, me } = useKnownKeyApp();

describe("published keys and rotation", () => {
  it("serves the public key only at /.well-known/jwks.json, and it verifies our tokens", async () => {
    const res = await app.request("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const jwks = await json<{ keys: JWK[] }>(res);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: "OKP", crv: "Ed25519", x: signingKey.x, kid: signingKey.kid, alg: "EdDSA", use: "sig" });
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(JSON.stringify(jwks)).not.toContain(signingKey.d!);
    expect(res.headers.get("Cache-Control")).toContain("max-age");

    const { payload } = await jwtVerify(owner.token, createLocalJWKSet(jwks as { keys: JWK[] }), {
      issuer: ACCESS_URL,
      audience: ACCESS_URL,
    });
    expect(payload.sub).toBe(owner.userId);
  });

  it("keeps old tokens working when a new key is added in front, and refuses them once the old key is gone", async () => {
    const original = app.deps.tokens;
    const newKey = await TokenService.generateKey();
    try {
      app.deps.tokens = await TokenService.create([newKey, signingKey], ACCESS_URL);
      expect((await me(owner.token)).status).toBe(200);
      const fresh = await login(app, OWNER.email, OWNER.password);
      expect(jwtHeader(fresh).kid).toBe(newKey.kid);
      const jwks = await json<{ keys: JWK[] }>(await app.request("/.well-known/jwks.json"));
      expect(jwks.keys.map((k) => k.kid)).toEqual([newKey.kid, signingKey.kid]);

      app.deps.tokens = await TokenService.create([newKey], ACCESS_URL);
      expect((await me(fresh)).status).toBe(200);
      let res: Response | undefined;
      expect(await countQueries(app, async () => (res = await me(owner.token)))).toBe(0);
      await expectSignedOut(res!, "API key is invalid.");
    } finally {
      app.deps.tokens = original;
    }
  });
});
