// Token handling (https://github.com/coder/coder/blob/main/coderd/httpmw/apikey.go): where tokens are read from, how forged,
// foreign and expired tokens are refused without touching the database, what one authenticated request
// costs, sliding expiry, the status gate, logout, and that no secret ever leaves the server.
import { eq } from "drizzle-orm";
import { createLocalJWKSet, jwtVerify, type JWK } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TokenService } from "../../src/auth/tokens.ts";
import { apiKeys, users } from "../../src/db/schema.ts";
import { newKeyId } from "../../src/keys/issue.ts";
import { ACCESS_URL, API, b64url, get, holdDeferred, insertMember, json, jwtHeader, jwtPayload, keyRowOf, keysOf, login, OWNER, post, SIGNED_OUT, startTestApp, type TestApp, userRow, withOwner } from "../support/harness.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NO_TOKEN = `Cookie "coder_session_token" or query parameter must be provided.`;

let app: TestApp;
let signingKey: JWK;
let owner: { userId: string; organizationId: string; token: string };

beforeAll(async () => {
  app = await startTestApp();
  // A signing key this suite knows, so it can forge tokens with it and with look-alikes.
  signingKey = await TokenService.generateKey();
  app.deps.tokens = await TokenService.create([signingKey], ACCESS_URL);
  owner = await withOwner(app);
});
afterAll(() => app.close());

const me = (token?: string, init: RequestInit = {}) => app.request(`${API}/users/me`, { ...init, ...(token ? { token } : {}) });

/** Runs `fn` and answers how many SQL statements it sent. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  app.queries.count = 0;
  await fn();
  return app.queries.count;
}

async function expectSignedOut(res: Response, detail: string | RegExp) {
  expect(res.status).toBe(401);
  const body = await json(res);
  expect(body.message).toBe(SIGNED_OUT);
  if (typeof detail === "string") expect(body.detail).toBe(detail);
  else expect(body.detail).toMatch(detail);
  expect(body).not.toHaveProperty("validations");
  expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="coder", error="invalid_token"/);
}

describe("where the token comes from", () => {
  it("answers no token with 401 and Coder's detail", async () => {
    const res = await me();
    await expectSignedOut(res, NO_TOKEN);
  });

  it("treats an empty header and an empty cookie as no token", async () => {
    const res = await app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": "", cookie: "coder_session_token=" } });
    await expectSignedOut(res, NO_TOKEN);
  });

  it.each([
    ["cookie", (t: string) => app.request(`${API}/users/me`, { headers: { cookie: `coder_session_token=${t}` } })],
    ["query parameter", (t: string) => app.request(`${API}/users/me?coder_session_token=${encodeURIComponent(t)}`)],
    ["Coder-Session-Token header", (t: string) => app.request(`${API}/users/me`, { headers: { "Coder-Session-Token": t } })],
    ["Authorization: Bearer", (t: string) => app.request(`${API}/users/me`, { headers: { Authorization: `Bearer ${t}` } })],
    ["Authorization: bearer (any case, padded)", (t: string) => app.request(`${API}/users/me`, { headers: { Authorization: `bEaReR   ${t}  ` } })],
    ["access_token query parameter", (t: string) => app.request(`${API}/users/me?access_token=${encodeURIComponent(t)}`)],
  ])("authenticates a token sent as %s", async (_how, send) => {
    const res = await send(owner.token);
    expect(res.status).toBe(200);
    expect(await json<{ id: string; username: string }>(res)).toMatchObject({ id: owner.userId, username: OWNER.username });
  });

  it("uses the first non-empty source: the cookie wins over the header", async () => {
    const good = await app.request(`${API}/users/me`, {
      headers: { cookie: `coder_session_token=${owner.token}`, "Coder-Session-Token": "abc" },
    });
    expect(good.status).toBe(200);
    const bad = await app.request(`${API}/users/me`, {
      headers: { cookie: "coder_session_token=abc", "Coder-Session-Token": owner.token },
    });
    await expectSignedOut(bad, /^Invalid API key format:/);
  });

  it("does not accept a non-Bearer Authorization scheme", async () => {
    const res = await app.request(`${API}/users/me`, { headers: { Authorization: `Basic ${owner.token}` } });
    await expectSignedOut(res, NO_TOKEN);
  });
});

describe("tokens refused by cryptography alone: zero database queries", () => {
  async function refusedWithoutQueries(token: string, detail: string | RegExp) {
    let res: Response | undefined;
    const queries = await countQueries(async () => {
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
    const jti = jwtPayload(owner.token).jti as string;
    const forged = await tokens.sign({ userId: owner.userId, keyId: jti, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
    expect(jwtHeader(forged).kid).toBe(signingKey.kid);
    await refusedWithoutQueries(forged, "API key secret is invalid.");
  });

  it("refuses a token signed by an unknown kid", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ACCESS_URL);
    const forged = await tokens.sign({ userId: owner.userId, keyId: "AAAAAAAAAA", scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
    await refusedWithoutQueries(forged, "API key is invalid.");
  });

  it("refuses a token without a kid", async () => {
    const [, payload, signature] = owner.token.split(".");
    await refusedWithoutQueries(`${b64url({ alg: "EdDSA", typ: "JWT" })}.${payload}.${signature}`, "API key is invalid.");
  });

  it("refuses a token from a foreign issuer signed with our own key", async () => {
    const foreign = await TokenService.create([signingKey], "http://evil.test");
    const jti = jwtPayload(owner.token).jti as string;
    const token = await foreign.sign({ userId: owner.userId, keyId: jti, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
    expect(jwtPayload(token).iss).toBe("http://evil.test");
    await refusedWithoutQueries(token, "API key is invalid.");
  });

  it("refuses a token for another audience signed with our own key", async () => {
    const other = await TokenService.create([signingKey], ACCESS_URL, "http://other-service.test");
    const jti = jwtPayload(owner.token).jti as string;
    const token = await other.sign({ userId: owner.userId, keyId: jti, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
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
    const queries = await countQueries(async () => {
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
    const token = await app.deps.tokens.sign({ userId: owner.userId, keyId: newKeyId(), scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
    let res: Response | undefined;
    expect(await countQueries(async () => (res = await me(token)))).toBe(1);
    await expectSignedOut(res!, "API key is invalid.");
  });

  it("refuses a well-signed token naming someone else's key", async () => {
    const member = await insertMember(app, { email: "sub-swap@example.com", username: "sub-swap" });
    const jti = jwtPayload(owner.token).jti as string;
    const token = await app.deps.tokens.sign({ userId: member.id, keyId: jti, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + HOUR) });
    await expectSignedOut(await me(token), "API key is invalid.");
  });
});

describe("the cost of an authenticated request", () => {
  it("GET /users/me costs one query; the first use stamps last_used and last_seen_at after the response", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const before = await keyRowOf(app, token);
    expect(before!.lastUsed.getTime()).toBe(0);
    await app.settle();

    const t0 = Date.now();
    let res: Response | undefined;
    const deferred = holdDeferred(app);
    expect(await countQueries(async () => (res = await me(token)))).toBe(1);
    expect(res!.status).toBe(200);
    const body = await json<{ id: string; last_seen_at: string }>(res!);
    expect(body.id).toBe(owner.userId);

    await deferred.release();
    expect(app.queries.count).toBe(2); // the one deferred bookkeeping statement
    const t1 = Date.now();
    const after = await keyRowOf(app, token);
    expect(after!.lastUsed.getTime()).toBeGreaterThanOrEqual(t0);
    expect(after!.lastUsed.getTime()).toBeLessThanOrEqual(t1);
    expect(after!.ipAddress).toBe("127.0.0.1");
    const user = await userRow(app, owner.userId);
    expect(user.lastSeenAt!.getTime()).toBe(after!.lastUsed.getTime());
    // The touching request already reported the stamp it was about to store.
    expect(new Date(body.last_seen_at).getTime()).toBe(user.lastSeenAt!.getTime());
  });

  it("a second request within the hour costs one query and defers no write", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    expect((await me(token)).status).toBe(200);
    await app.settle();
    const stamped = await keyRowOf(app, token);

    expect(await countQueries(async () => expect((await me(token)).status).toBe(200))).toBe(1);
    await app.settle();
    expect(app.queries.count).toBe(1);
    const again = await keyRowOf(app, token);
    expect(again!.lastUsed.getTime()).toBe(stamped!.lastUsed.getTime());
    expect(again!.expiresAt.getTime()).toBe(stamped!.expiresAt.getTime());
  });
});

describe("sliding expiry", () => {
  it("moves expires_at to now + lifetime when a stale key nears its end", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const row = (await keyRowOf(app, token))!;
    const now = Date.now();
    await app.db
      .update(apiKeys)
      .set({ lastUsed: new Date(now - 2 * HOUR), expiresAt: new Date(now + 10 * 60_000) })
      .where(eq(apiKeys.id, row.id));

    const t0 = Date.now();
    expect((await me(token)).status).toBe(200);
    await app.settle();
    const t1 = Date.now();
    const slid = (await keyRowOf(app, token))!;
    expect(slid.expiresAt.getTime()).toBeGreaterThanOrEqual(t0 + DAY);
    expect(slid.expiresAt.getTime()).toBeLessThanOrEqual(t1 + DAY);
    expect(slid.expiresAt.getTime()).toBeLessThanOrEqual(Number(jwtPayload(token).exp) * 1000);
    expect(slid.lastUsed.getTime()).toBeGreaterThanOrEqual(t0);
  });

  it("never slides past the token's own exp", async () => {
    const session = await login(app, OWNER.email, OWNER.password);
    const row = (await keyRowOf(app, session))!;
    const now = Date.now();
    // Same key row, but a token whose signature runs out in two hours.
    const token = await app.deps.tokens.sign({ userId: owner.userId, keyId: row.id, scopes: ["coder:all"], issuedAt: new Date(now), expiresAt: new Date(now + 2 * HOUR) });
    await app.db
      .update(apiKeys)
      .set({ lastUsed: new Date(now - 2 * HOUR), expiresAt: new Date(now + 10 * 60_000) })
      .where(eq(apiKeys.id, row.id));

    expect((await me(token)).status).toBe(200);
    await app.settle();
    const slid = (await keyRowOf(app, token))!;
    expect(slid.expiresAt.getTime()).toBe(Number(jwtPayload(token).exp) * 1000);
    expect(slid.expiresAt.getTime()).toBeGreaterThan(now + 10 * 60_000);
  });

  it("does not move a key that still has most of its lifetime", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const row = (await keyRowOf(app, token))!;
    await app.db.update(apiKeys).set({ lastUsed: new Date(Date.now() - 2 * HOUR) }).where(eq(apiKeys.id, row.id));
    expect((await me(token)).status).toBe(200);
    await app.settle();
    const after = (await keyRowOf(app, token))!;
    expect(after.expiresAt.getTime()).toBe(row.expiresAt.getTime());
    expect(after.lastUsed.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("does not slide when CODER_DISABLE_SESSION_EXPIRY_REFRESH is set, but still stamps last_used", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const row = (await keyRowOf(app, token))!;
    const near = new Date(Date.now() + 10 * 60_000);
    await app.db.update(apiKeys).set({ lastUsed: new Date(Date.now() - 2 * HOUR), expiresAt: near }).where(eq(apiKeys.id, row.id));
    app.deps.config.disableSessionExpiryRefresh = true;
    try {
      expect((await me(token)).status).toBe(200);
      await app.settle();
    } finally {
      app.deps.config.disableSessionExpiryRefresh = false;
    }
    const after = (await keyRowOf(app, token))!;
    expect(after.expiresAt.getTime()).toBe(near.getTime());
    expect(after.lastUsed.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("session keys and expiry", () => {
  it("a login session key has lifetime_seconds 86400 and expires in 24h", async () => {
    const t0 = Date.now();
    const token = await login(app, OWNER.email, OWNER.password);
    const t1 = Date.now();
    const row = (await keyRowOf(app, token))!;
    expect(row.userId).toBe(owner.userId);
    expect(row.lifetimeSeconds).toBe(86400);
    expect(row.loginType).toBe("password");
    expect(row.scopes).toEqual(["coder:all"]);
    expect(row.allowList).toEqual(["*:*"]);
    expect(row.id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 + DAY - 1000);
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(t1 + DAY);
    const claims = jwtPayload(token);
    expect(claims).toMatchObject({ sub: owner.userId, jti: row.id, iss: ACCESS_URL, aud: ACCESS_URL, scp: ["coder:all"] });
    expect(jwtHeader(token)).toMatchObject({ alg: "EdDSA", kid: signingKey.kid });
  });

  it("a key past its expires_at is refused: CODER_SESSION_DURATION=1s", async () => {
    const short = await startTestApp({ env: { CODER_SESSION_DURATION: "1s" } });
    try {
      const created = await short.request(`${API}/users/first`, { method: "POST", json: OWNER });
      expect(created.status).toBe(201);
      const token = await login(short, OWNER.email, OWNER.password);
      const row = (await keyRowOf(short, token))!;
      expect(row.lifetimeSeconds).toBe(1);
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(1000);

      const expiredAt = new Date(Date.UTC(2024, 0, 1, 10, 0, 0, 500));
      await short.db.update(apiKeys).set({ expiresAt: expiredAt }).where(eq(apiKeys.id, row.id));
      const res = await short.request(`${API}/users/me`, { token });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.message).toContain("session has expired");
      expect(body.detail).toBe('API key expired at "2024-01-01 10:00:00.5 +0000 UTC".');
      expect(res.headers.get("WWW-Authenticate")).toContain('error_description="The access token has expired"');
      await short.settle();
      // Refusing it wrote nothing.
      expect((await keyRowOf(short, token))!.expiresAt.getTime()).toBe(expiredAt.getTime());
    } finally {
      await short.close();
    }
  });

  it("a key expiring exactly now is already expired", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const row = (await keyRowOf(app, token))!;
    await app.db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(apiKeys.id, row.id));
    await expectSignedOut(await me(token), /^API key expired at "/);
  });
});

describe("user status gate", () => {
  const member = { email: "suspendee@example.com", username: "suspendee", password: "MySecurePassword!" };
  let memberId = "";
  let memberToken = "";

  beforeAll(async () => {
    memberId = (await insertMember(app, member)).id;
    memberToken = await login(app, member.email, member.password);
  });

  const setStatus = (status: "active" | "suspended" | "dormant") =>
    app.db.update(users).set({ status }).where(eq(users.id, memberId));

  it("refuses a suspended user's existing session with Coder's message", async () => {
    await setStatus("suspended");
    const res = await me(memberToken);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      message: 'User is not active (status = "suspended"). Contact an admin to reactivate your account.',
    });
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    // Suspension keeps the keys.
    expect(await keysOf(app, memberId)).toHaveLength(1);
  });

  it("refuses a suspended user's login with a message containing suspended", async () => {
    const res = await post(app, "/users/login", { email: member.email, password: member.password });
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body.message).toContain("suspended");
    expect(body.message).toContain("Contact an admin");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await keysOf(app, memberId)).toHaveLength(1);
  });

  it("a suspended user with a wrong password learns only 401 Incorrect email or password.", async () => {
    const res = await post(app, "/users/login", { email: member.email, password: "WrongPassword!1" });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
  });

  it("reactivation makes the old session work again", async () => {
    await setStatus("active");
    const res = await me(memberToken);
    expect(res.status).toBe(200);
    expect(await json<{ id: string; status: string }>(res)).toMatchObject({ id: memberId, status: "active" });
  });

  it("a dormant user is activated by using a session", async () => {
    await setStatus("dormant");
    const res = await me(memberToken);
    expect(res.status).toBe(200);
    expect(await json<{ status: string }>(res)).toMatchObject({ status: "active" });
    expect((await userRow(app, memberId)).status).toBe("active");
  });

  it("a dormant user is activated by logging in", async () => {
    await setStatus("dormant");
    const res = await post(app, "/users/login", { email: member.email, password: member.password });
    expect(res.status).toBe(201);
    expect((await userRow(app, memberId)).status).toBe("active");
  });
});

describe("logout", () => {
  async function insertKey(userId: string, scopes: string[], extra: Partial<typeof apiKeys.$inferInsert> = {}) {
    const id = newKeyId();
    await app.db.insert(apiKeys).values({
      id,
      userId,
      loginType: "token",
      expiresAt: new Date(Date.now() + DAY),
      scopes,
      tokenName: id,
      ...extra,
    });
    return id;
  }

  it("deletes the calling key and the user's application_connect keys, nothing else", async () => {
    const other = await insertMember(app, { email: "bystander@example.com", username: "bystander", password: "MySecurePassword!" });
    const token = await login(app, OWNER.email, OWNER.password);
    const otherToken = await login(app, "bystander@example.com", "MySecurePassword!");
    const session = jwtPayload(token).jti as string;
    const appConnect = await insertKey(owner.userId, ["coder:application_connect"]);
    const keep = await insertKey(owner.userId, ["coder:all"]);
    const othersAppConnect = await insertKey(other.id, ["coder:application_connect"]);
    const ownerKeysBefore = (await keysOf(app, owner.userId)).map((k) => k.id);

    const res = await post(app, "/users/logout", {}, token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ message: "Logged out!" });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^coder_session_token=;/);
    expect(cookie).toMatch(/Max-Age=0/);
    expect(cookie).toMatch(/Path=\//);

    const ownerKeysAfter = (await keysOf(app, owner.userId)).map((k) => k.id).sort();
    expect(ownerKeysAfter).toEqual(ownerKeysBefore.filter((id) => id !== session && id !== appConnect).sort());
    expect(ownerKeysAfter).toContain(keep);
    expect((await keysOf(app, other.id)).map((k) => k.id).sort()).toEqual([othersAppConnect, jwtPayload(otherToken).jti as string].sort());

    await expectSignedOut(await me(token), "API key is invalid.");
    expect((await me(otherToken)).status).toBe(200);
    expect((await me(owner.token)).status).toBe(200);
  });

  it("logout without a token is 401", async () => {
    const res = await post(app, "/users/logout", {});
    await expectSignedOut(res, NO_TOKEN);
  });
});

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

    const { payload } = await jwtVerify(owner.token, createLocalJWKSet(jwks as { keys: JWK[] }), { issuer: ACCESS_URL, audience: ACCESS_URL });
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
      expect(await countQueries(async () => (res = await me(owner.token)))).toBe(0);
      await expectSignedOut(res!, "API key is invalid.");
    } finally {
      app.deps.tokens = original;
    }
  });
});

describe("secrets never leave the server", () => {
  beforeEach(() => app.settle());

  it("stores argon2id hashes, and no response carries them", async () => {
    const stored = (await userRow(app, owner.userId)).hashedPassword;
    expect(stored).toMatch(/^\$argon2id\$/);
    const hashBody = stored.split("$").pop()!;

    const responses = [
      await me(owner.token),
      await get(app, `/users/${owner.userId}`, owner.token),
      await get(app, `/users/${OWNER.username}`, owner.token),
      await post(app, "/users/login", { email: OWNER.email, password: OWNER.password }),
      await post(app, "/users/login", { email: OWNER.email, password: "WrongPassword!1" }),
      await post(app, "/users/first", OWNER),
      await get(app, "/buildinfo"),
      await app.request("/.well-known/jwks.json"),
      await app.request(`${API}/openapi.json`),
    ];
    for (const res of responses) {
      const text = await res.text();
      expect(text).not.toMatch(/hashed_password|hashedPassword/);
      expect(text).not.toContain("$argon2");
      expect(text).not.toContain(hashBody);
      expect(text).not.toContain(signingKey.d!);
    }
  });
});
