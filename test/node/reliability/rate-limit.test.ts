// Login abuse (https://github.com/coder/coder/blob/main/coderd/httpmw/ratelimit.go): the login-group routes and password changes are limited
// per client IP and per account, with counters in Postgres that every instance shares. Over the limit is
// 429 in Coder's shape with Retry-After, and the answer is the same whether or not the account exists.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, ConfigError } from "../../../src/config.ts";
import { auditLogs, rateLimits } from "../../../src/db/schema.ts";
import { formatGoDuration, msToNs } from "../../../src/compat/duration.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { addUser, type ClockApp, countQueries, json, send, startClockApp, T0, useClockApp } from "../../support/harness.ts";

const PER_IP = 5;
const PER_ACCOUNT = 3;
const LIMITS = { DISABLE_RATE_LIMITS: "false", LOGIN_RATE_LIMIT: String(PER_IP), LOGIN_RATE_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT) };
const MINUTE = 60_000;

const { app } = useClockApp({ env: LIMITS, owner: true });
let ipCounter = 0;
/** A fresh client IP per test, so counters never leak between tests. */
const freshIp = () => `203.0.113.${++ipCounter}`;

beforeAll(async () => {
  await addUser(app, { username: "alice", email: "alice@example.com", password: "AlicePassword!123" });
});
beforeEach(async () => {
  app.setIp(freshIp());
  // Each test starts in a window of its own.
  app.clock.advance(MINUTE);
  await app.settle();
});

const login = (email: string, password = "WrongPassword!123") => send(app, "POST", "/users/login", undefined, { email, password });

async function expectLimited(res: Response, limit: number) {
  expect(res.status).toBe(429);
  expect(await json(res)).toEqual({ message: `You've been rate limited for sending more than ${limit} requests in 1m0s.` });
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get("X-Ratelimit-Limit")).toBe(String(limit));
  expect(res.headers.get("X-Ratelimit-Remaining")).toBe("0");
  // Security headers are on refusals too.
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
}

describe("per client IP", () => {
  it(`allows ${PER_IP} logins a minute from one IP, then answers 429 with Retry-After`, async () => {
    for (let i = 0; i < PER_IP; i++) {
      const res = await login(`nobody-${i}@example.com`);
      expect(res.status).toBe(401);
      // The headers describe the tighter of the two counters (the IP's on a tie): the account's, then the IP's.
      expect(res.headers.get("X-Ratelimit-Limit")).toBe(String(PER_IP - i - 1 <= PER_ACCOUNT - 1 ? PER_IP : PER_ACCOUNT));
    }
    await expectLimited(await login("someone-else@example.com"), PER_IP);
  });

  it("refuses the right password too once over the limit: guessing cannot continue in the window", async () => {
    for (let i = 0; i < PER_IP; i++) await login(`guess-${i}@example.com`);
    await expectLimited(await login("alice@example.com", "AlicePassword!123"), PER_IP);
  });

  it("Retry-After counts down to the window's end, and the next window starts over", async () => {
    for (let i = 0; i < PER_IP; i++) await login(`w-${i}@example.com`);
    app.clock.advance(20_000);
    const limited = await login("w-x@example.com");
    expect(limited.status).toBe(429);
    // T0 is one second into a window and every test moved a whole minute: 59 s left, minus 20.
    expect(limited.headers.get("Retry-After")).toBe("39");
    app.clock.advance(40_000);
    expect((await login("alice@example.com", "AlicePassword!123")).status).toBe(201);
  });

  it("counts each route separately, and other IPs are not affected", async () => {
    for (let i = 0; i < PER_IP; i++) await login(`sep-${i}@example.com`);
    expect((await login("sep-x@example.com")).status).toBe(429);
    // Another login-group route from the same IP.
    expect((await send(app, "POST", "/users/otp/request", undefined, { email: "sep-y@example.com" })).status).toBe(204);
    app.setIp(freshIp());
    expect((await login("sep-z@example.com")).status).toBe(401);
  });

  it("limits POST /users/first per IP too: every call is audited, so unlimited 409s would flood the log", async () => {
    const body = { email: "late@example.com", username: "late", password: "SomeSecurePassword!" };
    for (let i = 0; i < PER_IP; i++) expect((await send(app, "POST", "/users/first", undefined, body)).status).toBe(409);
    await expectLimited(await send(app, "POST", "/users/first", undefined, body), PER_IP);
  });

  it("exactly the limit gets through when 20 requests race (the counter is one atomic statement)", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`race-${i}@example.com`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_IP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - PER_IP);
  });
});

describe("per account, from any number of IPs", () => {
  it("answers an existing and an unknown account identically: same status, body and headers", async () => {
    const answers: Record<string, { status: number; body: string; headers: [string, string][] }[]> = {};
    for (const email of ["alice@example.com", "ghost@example.com"]) {
      answers[email] = [];
      for (let i = 0; i <= PER_ACCOUNT; i++) {
        app.setIp(freshIp()); // a botnet: every attempt from a new address
        const res = await login(email);
        const headers = [...res.headers.entries()].filter(([k]) => !["x-request-id", "set-cookie"].includes(k)).sort();
        answers[email]!.push({ status: res.status, body: await res.text(), headers });
      }
    }
    const [alice, ghost] = [answers["alice@example.com"]!, answers["ghost@example.com"]!];
    expect(alice.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect(ghost).toEqual(alice);
    expect(JSON.parse(alice[PER_ACCOUNT]!.body)).toEqual({
      message: `You've been rate limited for sending more than ${PER_ACCOUNT} requests in 1m0s.`,
    });
  });

  it("keys the account on the email as typed, case aside; a malformed sign-in is no failure and is not counted", async () => {
    for (const email of ["Bob@Example.com", "BOB@EXAMPLE.COM"]) {
      app.setIp(freshIp());
      expect((await login(email)).status).toBe(401);
    }
    // Refused as malformed before any password is checked: its count is given back.
    app.setIp(freshIp());
    expect((await login(" bob@example.com")).status).toBe(400);
    app.setIp(freshIp());
    expect((await login("bob@example.com")).status).toBe(401);
    app.setIp(freshIp());
    await expectLimited(await login("bob@Example.com"), PER_ACCOUNT);
  });

  it("a sign-in gives its count back in the statement that writes its session: three statements in all", async () => {
    // Someone else's attempt first: the deletion of past windows' counters runs once in a window.
    expect((await login("nobody@example.com")).status).toBe(401);
    app.setIp(freshIp());
    let res: Response | undefined;
    const queries = await countQueries(app, async () => {
      res = await login("alice@example.com", "AlicePassword!123");
    });
    expect(res!.status).toBe(201);
    // The counter's hit, the lookup, and the key with its audit record and the refund.
    expect(queries).toBe(3);
    // Given back: the account's whole budget is left for failures.
    for (let i = 0; i < PER_ACCOUNT; i++) expect((await login("alice@example.com")).status).toBe(401);
    await expectLimited(await login("alice@example.com"), PER_ACCOUNT);
  });

  it("stores account keys hashed: the table never holds an email someone typed", async () => {
    await login("hashed-check@example.com");
    const rows = await app.db.select().from(rateLimits);
    expect(rows.some((r) => r.key.includes("hashed-check"))).toBe(false);
    expect(rows.some((r) => /^POST \/users\/login\|account\|[0-9a-f]{64}$/.test(r.key))).toBe(true);
  });

  it("limits one-time-passcode requests and changes per email", async () => {
    for (let i = 0; i < PER_ACCOUNT; i++) {
      app.setIp(freshIp());
      expect((await send(app, "POST", "/users/otp/request", undefined, { email: "alice@example.com" })).status).toBe(204);
    }
    app.setIp(freshIp());
    await expectLimited(await send(app, "POST", "/users/otp/request", undefined, { email: "alice@example.com" }), PER_ACCOUNT);

    const change = {
      email: "carol@example.com",
      password: "BrandNewPassword!42",
      one_time_passcode: "00000000-0000-0000-0000-000000000000",
    };
    for (let i = 0; i < PER_ACCOUNT; i++) {
      app.setIp(freshIp());
      expect((await send(app, "POST", "/users/otp/change-password", undefined, change)).status).toBe(400);
    }
    app.setIp(freshIp());
    await expectLimited(await send(app, "POST", "/users/otp/change-password", undefined, change), PER_ACCOUNT);
  });

  it("limits PUT /users/{user}/password per session user, so a stolen session cannot guess the old password", async () => {
    const dave = await addUser(app, { username: "dave", password: "DavePassword!123", login: true });
    const attempt = () =>
      send(app, "PUT", "/users/me/password", dave.token, { old_password: "Guess!123456", password: "NewPassword!98765" });
    for (let i = 0; i < PER_ACCOUNT; i++) {
      app.setIp(freshIp());
      expect((await attempt()).status).toBe(400);
    }
    app.setIp(freshIp());
    await expectLimited(await attempt(), PER_ACCOUNT);
  });

  it("a forged token on PUT /users/{user}/password is refused without any query: nothing is counted", async () => {
    // Someone else's attempt first: the deletion of past windows' counters runs once in a window.
    expect((await login("nobody@example.com")).status).toBe(401);
    app.setIp(freshIp());
    let res: Response | undefined;
    const queries = await countQueries(app, async () => {
      res = await send(app, "PUT", "/users/me/password", "aaa.bbb.ccc", { password: "x" });
    });
    expect(res!.status).toBe(401);
    expect(queries).toBe(0);
  });
});

describe("one counter for every instance", () => {
  let database: TestDatabase;
  let a: ClockApp;
  let b: ClockApp;
  beforeAll(async () => {
    database = await createTestDatabase("ratelimit");
    a = await startClockApp({ env: LIMITS, databaseUrl: database.url });
    b = await startClockApp({ env: LIMITS, databaseUrl: database.url });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it("two app instances on one database share the per-IP count", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP + 1; i++) {
      const instance = i % 2 === 0 ? a : b;
      statuses.push((await send(instance, "POST", "/users/login", undefined, { email: `multi-${i}@example.com`, password: "x" })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe("housekeeping and configuration", () => {
  it("prunes counters of past windows after the response", async () => {
    await login("prune-1@example.com");
    await app.settle();
    app.clock.advance(2 * MINUTE);
    // The process prunes at most once a window; the clock moved two.
    await login("prune-2@example.com");
    await app.settle();
    const windowStart = new Date(Math.floor(app.clock.now.getTime() / MINUTE) * MINUTE);
    const stale = await app.db.select().from(rateLimits).where(sql`${rateLimits.windowStart} < ${windowStart}`);
    expect(stale).toEqual([]);
  });

  it("does not write a 429 to the audit log (the flood the limit exists for)", async () => {
    for (let i = 0; i <= PER_IP; i++) await login(`audit-${i}@example.com`);
    await app.settle();
    const rows = await app.db.select().from(auditLogs).where(eq(auditLogs.statusCode, 429));
    expect(rows).toEqual([]);
  });

  it("DISABLE_RATE_LIMITS=true turns every limit off", async () => {
    const off = await startClockApp({ env: { ...LIMITS, DISABLE_RATE_LIMITS: "true" } });
    try {
      const statuses = await Promise.all(
        Array.from({ length: PER_IP * 2 }, (_, i) =>
          send(off, "POST", "/users/login", undefined, { email: "same@example.com", password: `p${i}` }),
        ),
      );
      expect(statuses.every((r) => r.status === 401)).toBe(true);
      expect(await off.db.select().from(rateLimits)).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it("reads Coder's CODER_DANGEROUS_DISABLE_RATE_LIMITS as well, and has Coder's defaults", () => {
    expect(loadConfig({ CODER_DANGEROUS_DISABLE_RATE_LIMITS: "true" }).rateLimits.disabled).toBe(true);
    expect(loadConfig({}).rateLimits).toEqual({ disabled: false, perIp: 60, perAccount: 30, windowMs: MINUTE, apiPerMinute: 512 });
    expect(loadConfig({ LOGIN_RATE_LIMIT_WINDOW: "30s", LOGIN_RATE_LIMIT: "10" }).rateLimits).toMatchObject({
      perIp: 10,
      windowMs: 30_000,
    });
  });

  it("refuses nonsense limits at start-up", () => {
    expect(() => loadConfig({ LOGIN_RATE_LIMIT: "0" })).toThrow(ConfigError);
    expect(() => loadConfig({ LOGIN_RATE_LIMIT_PER_ACCOUNT: "many" })).toThrow(ConfigError);
    expect(() => loadConfig({ LOGIN_RATE_LIMIT_WINDOW: "-1m" })).toThrow(ConfigError);
  });

  it("words the window as Go does", () => {
    expect([60_000, 30_000, 3_600_000, 90_000, 500, 1500].map((ms) => formatGoDuration(msToNs(ms)))).toEqual([
      "1m0s",
      "30s",
      "1h0m0s",
      "1m30s",
      "500ms",
      "1.5s",
    ]);
  });

  it("starts T0 one second into a window", () => {
    expect(T0.getTime() % MINUTE).toBe(1000);
  });
});
