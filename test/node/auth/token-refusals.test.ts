// Forged, foreign, malformed and expired tokens are refused by cryptography alone, before any database
// work; a well-signed token naming a key that is not the caller's costs one query.
import { describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { newKeyId } from "../../../src/keys/issue.ts";
import {
  ACCESS_URL,
  b64url,
  countQueries,
  expectSignedOut,
  insertMember,
  jwtHeader,
  jwtPayload,
  useKnownKeyApp,
} from "../../support/harness.ts";

const HOUR = 3600_000;

const { app, signingKey, owner, me } = useKnownKeyApp();

/** The owner's session claims (naming their key unless `keyId`), signed by `tokens`: a look-alike of their token. */
const ownerClaimsSignedBy = (tokens: TokenService, keyId = jwtPayload(owner.token).jti as string) =>
  tokens.sign({ userId: owner.userId, keyId, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });

describe("tokens refused by cryptography alone: zero database queries", () => {
  async function refusedWithoutQueries(token: string, detail: string | RegExp) {
    let res: Response | undefined;
    const queries = await countQueries(app, async () => {
      res = await me(token);
    });
    await expectSignedOut(res!, detail);
    expect(queries).toBe(0);
  }

  function resign(token: string, edit: (payload: Record<string, unknown>) => void): string {
    const [header, , signature] = token.split(".");
    const payload = jwtPayload(token);
    edit(payload);
    return `${header}.${b64url(payload)}.${signature}`;
  }

  it("refuses token abc as a bad format", async () => {
    await refusedWithoutQueries("abc", /^Invalid API key format:/);
  });

  it("refuses a Coder-shaped <10>-<22> token as an unknown key", async () => {
    await refusedWithoutQueries("AbCdEf1234-abcdefghijklmnopqrstuv", "API key is invalid.");
  });

  it("refuses a JWT-looking token of garbage segments as a bad format", async () => {
    await refusedWithoutQueries("aaa.bbb.ccc", /^Invalid API key format:/);
  });

  it("refuses an oversized token without parsing it", async () => {
    const [h, p, s] = owner.token.split(".");
    await refusedWithoutQueries(`${h}.${p}${"A".repeat(5000)}.${s}`, /^Invalid API key format:/);
  });

  it("refuses a token whose payload was tampered with (sub swapped)", async () => {
    const forged = resign(owner.token, (p) => {
      p.sub = "00000000-0000-4000-8000-000000000000";
    });
    await refusedWithoutQueries(forged, "API key secret is invalid.");
  });

  it("refuses a token whose payload was tampered with (exp pushed out)", async () => {
    const forged = resign(owner.token, (p) => {
      p.exp = Number(p.exp) + 365 * 24 * 3600;
    });
    await refusedWithoutQueries(forged, "API key secret is invalid.");
  });

  it("refuses a token signed by another key that claims our kid", async () => {
    const impostor = await TokenService.generateKey();
    const tokens = await TokenService.create([{ ...impostor, kid: signingKey.kid! }], ACCESS_URL);
    const forged = await ownerClaimsSignedBy(tokens);
    expect(jwtHeader(forged).kid).toBe(signingKey.kid);
    await refusedWithoutQueries(forged, "API key secret is invalid.");
  });

  it("refuses a token signed by an unknown kid", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ACCESS_URL);
    const forged = await ownerClaimsSignedBy(tokens, "AAAAAAAAAA");
    await refusedWithoutQueries(forged, "API key is invalid.");
  });

  it("refuses a token without a kid", async () => {
    const [, payload, signature] = owner.token.split(".");
    await refusedWithoutQueries(`${b64url({ alg: "EdDSA", typ: "JWT" })}.${payload}.${signature}`, "API key is invalid.");
  });

  it("refuses a token from a foreign issuer signed with our own key", async () => {
    const foreign = await TokenService.create([signingKey], "http://evil.test");
    const token = await ownerClaimsSignedBy(foreign);
    expect(jwtPayload(token).iss).toBe("http://evil.test");
    await refusedWithoutQueries(token, "API key is invalid.");
  });

  it("refuses a token for another audience signed with our own key", async () => {
    const other = await TokenService.create([signingKey], ACCESS_URL, "http://other-service.test");
    const token = await ownerClaimsSignedBy(other);
    await refusedWithoutQueries(token, "API key is invalid.");
  });

  it("refuses alg none", async () => {
    const payload = jwtPayload(owner.token);
    const none = `${b64url({ alg: "none", typ: "JWT", kid: signingKey.kid })}.${b64url(payload)}.`;
    await refusedWithoutQueries(none, "API key is invalid.");
  });

  it("refuses HS256 keyed with the public key (algorithm confusion)", async () => {
    const { createHmac } = await import("node:crypto");
    const signingInput = `${b64url({ alg: "HS256", typ: "JWT", kid: signingKey.kid })}.${b64url(jwtPayload(owner.token))}`;
    const mac = createHmac("sha256", Buffer.from(signingKey.x!, "base64url")).update(signingInput).digest("base64url");
    await refusedWithoutQueries(`${signingInput}.${mac}`, "API key is invalid.");
  });

  it("refuses an expired token with detail API key expired at (Go time string)", async () => {
    const jti = jwtPayload(owner.token).jti as string;
    const expiresAt = new Date(Date.UTC(2024, 0, 1, 10, 0, 0));
    const token = await app.deps.tokens.sign({
      userId: owner.userId,
      keyId: jti,
      scopes: ["coder:all"],
      issuedAt: new Date(expiresAt.getTime() - HOUR),
      expiresAt,
    });
    let res: Response | undefined;
    const queries = await countQueries(app, async () => {
      res = await me(token);
    });
    expect(queries).toBe(0);
    await expectSignedOut(res!, 'API key expired at "2024-01-01 10:00:00 +0000 UTC".');
    expect(res!.headers.get("WWW-Authenticate")).toContain('error_description="The access token has expired"');
  });

  it("refuses a signed token without the scp claim", async () => {
    const { SignJWT, importJWK } = await import("jose");
    const key = await importJWK(signingKey, "EdDSA");
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "EdDSA", kid: signingKey.kid! })
      .setIssuer(ACCESS_URL)
      .setAudience(ACCESS_URL)
      .setSubject(owner.userId)
      .setJti(jwtPayload(owner.token).jti as string)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
    await refusedWithoutQueries(token, "API key is invalid.");
  });
});

describe("tokens that pass cryptography but not the database", () => {
  it("refuses a well-signed token naming a key that does not exist, in one query", async () => {
    const token = await ownerClaimsSignedBy(app.deps.tokens, newKeyId());
    let res: Response | undefined;
    expect(await countQueries(app, async () => (res = await me(token)))).toBe(1);
    await expectSignedOut(res!, "API key is invalid.");
  });

  it("refuses a well-signed token naming someone else's key", async () => {
    const member = await insertMember(app, { email: "sub-swap@example.com", username: "sub-swap" });
    const jti = jwtPayload(owner.token).jti as string;
    const token = await app.deps.tokens.sign({
      userId: member.id,
      keyId: jti,
      scopes: ["coder:all"],
      issuedAt: new Date(),
      expiresAt: new Date(Date.now() + HOUR),
    });
    await expectSignedOut(await me(token), "API key is invalid.");
  });
});
