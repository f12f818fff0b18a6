// What one authenticated request costs, and the session key's lifetime: sliding expiry (as Coder's
// https://github.com/coder/coder/blob/main/coderd/httpmw/apikey.go refreshes it), the 24-hour login
// session and a key past its expiry.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import {
  ACCESS_URL,
  API,
  countQueries,
  expectSignedOut,
  holdDeferred,
  json,
  jwtHeader,
  jwtPayload,
  keyRowOf,
  login,
  OWNER,
  startTestApp,
  userRow,
  useKnownKeyApp,
} from "../../support/harness.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const { app, signingKey, owner, me } = useKnownKeyApp();

describe("the cost of an authenticated request", () => {
  it("GET /users/me costs one query; the first use stamps last_used and last_seen_at after the response", async () => {
    const token = await login(app, OWNER.email, OWNER.password);
    const before = await keyRowOf(app, token);
    expect(before!.lastUsed.getTime()).toBe(0);
    await app.settle();

    const t0 = Date.now();
    let res: Response | undefined;
    const deferred = holdDeferred(app);
    expect(await countQueries(app, async () => (res = await me(token)))).toBe(1);
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

    expect(await countQueries(app, async () => expect((await me(token)).status).toBe(200))).toBe(1);
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
    const token = await app.deps.tokens.sign({
      userId: owner.userId,
      keyId: row.id,
      scopes: ["coder:all"],
      issuedAt: new Date(now),
      expiresAt: new Date(now + 2 * HOUR),
    });
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
    await app.db
      .update(apiKeys)
      .set({ lastUsed: new Date(Date.now() - 2 * HOUR) })
      .where(eq(apiKeys.id, row.id));
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
    await app.db
      .update(apiKeys)
      .set({ lastUsed: new Date(Date.now() - 2 * HOUR), expiresAt: near })
      .where(eq(apiKeys.id, row.id));
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
    await app.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(apiKeys.id, row.id));
    await expectSignedOut(await me(token), /^API key expired at "/);
  });
});
