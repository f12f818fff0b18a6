// Token attacks and browser-facing defences. test/node/auth/token-refusals.test.ts covers each attack on
// GET /users/me; here the whole list is thrown at every authenticated route of the OpenAPI document, with
// the login rate limits on, and every answer must be 401 with zero database queries. Then CSRF for
// cookie-authenticated writes, the session cookie's attributes, and security headers on every kind of answer.
import { createHmac, createPrivateKey, sign as edSign } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { apiKeys } from "../../../src/db/schema.ts";
import { ACCESS_URL, API, json, startTestApp, useKnownKeyApp, withOwner } from "../../support/harness.ts";

const HOUR_S = 3600;
const { app, owner, signingKey: key } = useKnownKeyApp({ env: { DISABLE_RATE_LIMITS: "false" } });

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const parts = (token: string) => token.split(".") as [string, string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], "base64url").toString()) as Record<string, unknown>;

/** A token signed with the real key but with claims of the test's choosing. */
async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}, signingKey: JWK = key): Promise<string> {
  const base = payloadOf(owner.token);
  return new SignJWT({ ...base, ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid!, typ: "JWT", ...header })
    .sign(await importJWK(signingKey, "EdDSA"));
}

/** Signs any header and payload with our key, past jose's own checks (which refuse to sign some attacks). */
function rawSigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = edSign(null, Buffer.from(input), createPrivateKey({ key: key as never, format: "jwk" }));
  return `${input}.${signature.toString("base64url")}`;
}

/** Every attack: a name and the token it sends. */
async function attacks(): Promise<[string, string][]> {
  const [h, p, s] = parts(owner.token);
  const now = Math.floor(Date.now() / 1000);
  const stranger = await TokenService.generateKey();
  const strangerPublic = { kty: stranger.kty, crv: stranger.crv, x: stranger.x };
  const hsInput = `${b64({ alg: "HS256", typ: "JWT", kid: key.kid })}.${p}`;
  return [
    ["alg none", `${b64({ alg: "none", typ: "JWT", kid: key.kid })}.${p}.`],
    ["alg none, signature kept", `${b64({ alg: "none", typ: "JWT", kid: key.kid })}.${p}.${s}`],
    [
      "HS256 keyed with the public key",
      `${hsInput}.${createHmac("sha256", Buffer.from(key.x!, "base64url")).update(hsInput).digest("base64url")}`,
    ],
    [
      "HS256 keyed with the public JWK text",
      `${hsInput}.${createHmac("sha256", JSON.stringify({ kty: "OKP", crv: "Ed25519", x: key.x }))
        .update(hsInput)
        .digest("base64url")}`,
    ],
    ["unknown kid", await signed({}, { kid: "not-a-key-we-have" }, stranger)],
    ["kid path traversal", `${b64({ alg: "EdDSA", kid: "../../../../etc/passwd" })}.${p}.${s}`],
    ["no kid", `${b64({ alg: "EdDSA", typ: "JWT" })}.${p}.${s}`],
    ["our kid, another key's signature", await signed({}, {}, stranger)],
    ["embedded jwk header of the attacker's key", await signed({}, { jwk: strangerPublic }, stranger)],
    ["jku header pointing elsewhere", await signed({}, { jku: "http://attacker.test/jwks.json" }, stranger)],
    ["tampered payload: sub swapped", `${h}.${b64({ ...payloadOf(owner.token), sub: "00000000-0000-4000-8000-000000000000" })}.${s}`],
    ["tampered payload: scopes widened", `${h}.${b64({ ...payloadOf(owner.token), scp: ["coder:all", "*"] })}.${s}`],
    ["tampered payload: exp extended", `${h}.${b64({ ...payloadOf(owner.token), exp: now + 10 * 365 * 24 * HOUR_S })}.${s}`],
    ["tampered header: alg changed", `${b64({ alg: "ES256", kid: key.kid })}.${p}.${s}`],
    ["wrong iss (signed with our key)", await signed({ iss: "http://evil.test" })],
    ["wrong aud (signed with our key)", await signed({ aud: "http://other-service.test" })],
    ["aud list without us (signed with our key)", await signed({ aud: ["http://a.test", "http://b.test"] })],
    ["expired (signed with our key)", await signed({ iat: now - 2 * HOUR_S, exp: now - HOUR_S })],
    ["not yet valid: nbf an hour ahead (signed with our key)", await signed({ nbf: now + HOUR_S })],
    ["missing exp (signed with our key)", await signed({ exp: undefined })],
    ["scp not a list (signed with our key)", await signed({ scp: "coder:all" })],
    [
      "unknown critical header (signed with our key)",
      rawSigned({ alg: "EdDSA", kid: key.kid, crit: ["x-gatehouse-unknown"], "x-gatehouse-unknown": true }, payloadOf(owner.token)),
    ],
    ["oversized (64 KiB)", `${h}.${p}${"A".repeat(64 * 1024)}.${s}`],
    ["truncated signature", `${h}.${p}.${s.slice(0, -4)}`],
    ["empty signature", `${h}.${p}.`],
    ["two segments", `${h}.${p}`],
    ["four segments", `${h}.${p}.${s}.${s}`],
    ["JSON serialization", JSON.stringify({ protected: h, payload: p, signature: s })],
    ["non-ASCII", `${h}.${p}.${s}é`],
    ["Coder-shaped id-secret", "AbCdEf1234-abcdefghijklmnopqrstuv"],
    ["garbage", "abc"],
  ];
}

interface Operation {
  method: string;
  path: string;
}

/** Every operation of the OpenAPI document that needs a session, with `{user}` and friends filled in. */
async function authenticatedOperations(): Promise<Operation[]> {
  const doc = await json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(await app.request(`${API}/openapi.json`));
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.security || op.security.length === 0) continue;
      const filled = path.replace("{user}", "me").replace(/\{\w+\}/g, "x");
      out.push({ method: method.toUpperCase(), path: filled });
    }
  }
  return out;
}

describe("forged, foreign and broken tokens: 401 without a query, on every authenticated route", () => {
  it("refuses every attack on every route", async () => {
    const ops = await authenticatedOperations();
    expect(ops.length).toBeGreaterThan(25);
    const list = await attacks();
    expect(list.length).toBeGreaterThanOrEqual(30);
    let tried = 0;
    const failures: string[] = [];
    for (const [name, token] of list) {
      for (const op of ops) {
        // Header and cookie are both token sources; alternate, so both paths are attacked.
        const viaCookie = tried % 2 === 1;
        const headers: Record<string, string> = viaCookie ? { cookie: `coder_session_token=${token}` } : { "Coder-Session-Token": token };
        const hasBody = op.method !== "GET" && op.method !== "DELETE";
        app.queries.count = 0;
        const res = await app.request(op.path, {
          method: op.method,
          headers: { ...headers, ...(hasBody ? { "content-type": "application/json" } : {}) },
          ...(hasBody ? { body: JSON.stringify({ password: "x", email: "owner@example.com" }) } : {}),
        });
        tried++;
        const queries = app.queries.count;
        if (res.status !== 401 || queries !== 0) failures.push(`${name} → ${op.method} ${op.path}: ${res.status}, ${queries} queries`);
        else {
          const body = await json(res);
          if (!body.message || /stack|at \w+ \(/.test(JSON.stringify(body)))
            failures.push(`${name} → ${op.method} ${op.path}: body ${JSON.stringify(body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The count the closing note reports.
    expect(tried).toBe(list.length * ops.length);
  });

  it("the genuine token still works on the same routes (the attacks were refused for the right reason)", async () => {
    expect((await app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": owner.token } })).status).toBe(200);
    expect((await app.request(`${API}/users/me/keys/tokens`, { headers: { "Coder-Session-Token": owner.token } })).status).toBe(200);
  });

  it("the same hand-signed token without the crit header is accepted: the header is what the refusal was for", async () => {
    const token = rawSigned({ alg: "EdDSA", kid: key.kid }, payloadOf(owner.token));
    expect((await app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": token } })).status).toBe(200);
  });

  it("a valid signature over a token whose iat is in the future is still tied to its key row", async () => {
    // iat is informational (the row's expiry decides); a forged iat needs our private key anyway.
    const now = Math.floor(Date.now() / 1000);
    const res = await app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": await signed({ iat: now + HOUR_S }) } });
    expect(res.status).toBe(200);
  });
});

describe("CSRF: cookie-authenticated writes must come from this origin", () => {
  const cookieLogout = (token: string, headers: Record<string, string>) =>
    app.request(`${API}/users/logout`, { method: "POST", headers: { cookie: `coder_session_token=${token}`, ...headers } });

  async function freshSession(): Promise<string> {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      json: { email: "owner@example.com", password: "SomeSecurePassword!" },
    });
    return (await json<{ session_token: string }>(res)).session_token;
  }

  async function keyExists(token: string): Promise<boolean> {
    const rows = await app.db.select({ id: apiKeys.id }).from(apiKeys);
    return rows.some((r) => r.id === payloadOf(token).jti);
  }

  it.each([
    ["a foreign Origin", { origin: "http://evil.test" }],
    ["Origin null (sandboxed frame, data: URL)", { origin: "null" }],
    ["a look-alike Origin", { origin: `${ACCESS_URL}.evil.test` }],
    ["no Origin, Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["no Origin, Sec-Fetch-Site same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
  ])("refuses %s with 403 in Coder's shape, before anything runs", async (_name, headers) => {
    const token = await freshSession();
    app.queries.count = 0;
    const res = await cookieLogout(token, headers);
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({
      message: "Cross-site request refused.",
      detail: `A request authenticated by the session cookie must come from ${ACCESS_URL}.`,
    });
    expect(app.queries.count).toBe(0);
    expect(await keyExists(token)).toBe(true);
  });

  it.each([
    ["this origin", { origin: ACCESS_URL }],
    ["no Origin and no Sec-Fetch-Site (a non-browser client)", {}],
    ["Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }],
  ])("allows %s", async (_name, headers) => {
    const token = await freshSession();
    const res = await cookieLogout(token, headers);
    expect(res.status).toBe(200);
    expect(await keyExists(token)).toBe(false);
  });

  it("does not apply to a token in a header (no browser adds one for another site), nor to reads", async () => {
    const token = await freshSession();
    const read = await app.request(`${API}/users/me`, { headers: { cookie: `coder_session_token=${token}`, origin: "http://evil.test" } });
    expect(read.status).toBe(200);
    const res = await app.request(`${API}/users/logout`, {
      method: "POST",
      headers: { "Coder-Session-Token": token, origin: "http://evil.test" },
    });
    expect(res.status).toBe(200);
  });
});

describe("session cookie attributes", () => {
  it("login sets HttpOnly, SameSite=Lax and a path of /; no Secure over http", async () => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      json: { email: "owner@example.com", password: "SomeSecurePassword!" },
    });
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^coder_session_token=[^;]+;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
  });

  it("adds Secure when the access URL is https", async () => {
    const secure = await startTestApp({ env: { CODER_ACCESS_URL: "https://gatehouse.test" } });
    try {
      await withOwner(secure);
      const res = await secure.request(`${API}/users/login`, {
        method: "POST",
        json: { email: "owner@example.com", password: "SomeSecurePassword!" },
      });
      expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
      expect(res.headers.get("set-cookie")).toMatch(/; HttpOnly/);
    } finally {
      await secure.close();
    }
  });
});

describe("security headers on every kind of answer", () => {
  it.each([
    ["200", () => app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": owner.token } })],
    [
      "201",
      () => app.request(`${API}/users/login`, { method: "POST", json: { email: "owner@example.com", password: "SomeSecurePassword!" } }),
    ],
    ["400", () => app.request(`${API}/users/login`, { method: "POST", body: "{", headers: { "content-type": "application/json" } })],
    ["401", () => app.request(`${API}/users/me`)],
    [
      "403",
      () =>
        app.request(`${API}/users/logout`, {
          method: "POST",
          headers: { cookie: `coder_session_token=${owner.token}`, origin: "http://evil.test" },
        }),
    ],
    ["404", () => app.request(`${API}/no-such-route`)],
    [
      "413",
      () =>
        app.request(`${API}/users/login`, {
          method: "POST",
          body: "x".repeat(1024 * 1024 + 1),
          headers: { "content-type": "application/json" },
        }),
    ],
  ])("%s", async (status, send) => {
    const res = await send();
    expect(String(res.status)).toBe(status);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("same-origin");
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    expect(res.headers.get("X-Coder-Build-Version")).toBeTruthy();
  });
});
