// Coder's general API rate limit (https://github.com/coder/coder/blob/main/coderd/httpmw/ratelimit.go): per signed-in user, else per client
// IP, per endpoint, API_RATE_LIMIT requests a minute; 429 in Coder's shape with Retry-After; owners may
// bypass it with X-Coder-Bypass-Ratelimit, anyone else sending the header gets 428. It adds no database
// round trip, and the Workers Rate Limiting bindings take over where configured.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.ts";
import type { RateLimitBinding } from "../../../src/deps.ts";
import { type AddedUser, addUser, countQueries, json, send, useClockApp } from "../../support/harness.ts";

const LIMIT = 4;
const MINUTE = 60_000;

const { app, owner } = useClockApp({ env: { DISABLE_RATE_LIMITS: "false", API_RATE_LIMIT: String(LIMIT) }, owner: true });
let member: AddedUser;
let ipCounter = 0;

beforeAll(async () => {
  member = await addUser(app, { username: "member", login: true });
});
beforeEach(() => {
  app.setIp(`192.0.2.${++ipCounter}`);
  app.clock.advance(MINUTE); // a window of its own for every test
  delete app.deps.rateLimiters;
});

const me = (token: string, headers?: Record<string, string>) => send(app, "GET", "/users/me", token, undefined, headers);

async function expectLimited(res: Response) {
  expect(res.status).toBe(429);
  expect(await json(res)).toEqual({ message: `You've been rate limited for sending more than ${LIMIT} requests in 1m0s.` });
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe("the general API limit", () => {
  it(`answers ${LIMIT} requests a minute per user and endpoint, then 429 until the next minute`, async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await me(member.token);
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Ratelimit-Limit")).toBe(String(LIMIT));
      expect(res.headers.get("X-Ratelimit-Remaining")).toBe(String(LIMIT - i - 1));
    }
    await expectLimited(await me(member.token));
    app.clock.advance(MINUTE);
    expect((await me(member.token)).status).toBe(200);
  });

  it("counts each user apart, wherever they connect from", async () => {
    for (let i = 0; i < LIMIT; i++) {
      app.setIp(`198.18.0.${i + 1}`);
      expect((await me(member.token)).status).toBe(200);
    }
    await expectLimited(await me(member.token));
    // Another user on the same address is not affected.
    expect((await me(owner.token)).status).toBe(200);
  });

  it("counts each endpoint apart", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await me(member.token)).status).toBe(200);
    await expectLimited(await me(member.token));
    expect((await send(app, "GET", "/users/me/keys/tokens", member.token)).status).toBe(200);
  });

  it("counts a literal path apart from the {user} pattern it also fits", async () => {
    const authMethods = () => send(app, "GET", "/users/authmethods", member.token);
    for (let i = 0; i < LIMIT; i++) expect((await authMethods()).status).toBe(200);
    await expectLimited(await authMethods());
    expect((await me(member.token)).status).toBe(200);
  });

  it("counts requests without a valid session per client IP, forged tokens included", async () => {
    const forged = member.token.slice(0, -4) + (member.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (let i = 0; i < LIMIT; i++) expect((await me(forged)).status).toBe(401);
    await expectLimited(await me(forged));
    await expectLimited(await send(app, "GET", "/users/me"));
    app.setIp("192.0.2.250");
    expect((await me(forged)).status).toBe(401);
  });

  it("adds no database round trip: GET /users/me is still one statement, a forged token none", async () => {
    expect(await countQueries(app, () => me(member.token))).toBe(1);
    expect(await countQueries(app, () => me(member.token.slice(0, -2) + "xx"))).toBe(0);
  });

  it("is off with DISABLE_RATE_LIMITS, and with API_RATE_LIMIT=0 or -1 (Coder's CODER_API_RATE_LIMIT too)", () => {
    expect(loadConfig({ CODER_ACCESS_URL: "http://x.test" }).rateLimits.apiPerMinute).toBe(512);
    expect(loadConfig({ CODER_ACCESS_URL: "http://x.test", CODER_API_RATE_LIMIT: "-1" }).rateLimits.apiPerMinute).toBe(-1);
    expect(loadConfig({ CODER_ACCESS_URL: "http://x.test", API_RATE_LIMIT: "0" }).rateLimits.apiPerMinute).toBe(0);
  });
});

describe("the owner bypass header", () => {
  it("lets an owner past the limit", async () => {
    for (let i = 0; i < LIMIT + 3; i++) expect((await me(owner.token, { "X-Coder-Bypass-Ratelimit": "true" })).status).toBe(200);
  });

  it("answers 428 to anyone else who sends it, signed in or not", async () => {
    for (const res of [
      await me(member.token, { "X-Coder-Bypass-Ratelimit": "true" }),
      await send(app, "GET", "/users/me", undefined, undefined, { "X-Coder-Bypass-Ratelimit": "1" }),
    ]) {
      expect(res.status).toBe(428);
      expect(await json(res)).toEqual({ message: 'The "X-Coder-Bypass-Ratelimit" header can only be used by owners.' });
    }
  });

  it("is ignored when it is not a true value", async () => {
    expect((await me(member.token, { "X-Coder-Bypass-Ratelimit": "false" })).status).toBe(200);
  });
});

describe("Workers Rate Limiting bindings", () => {
  function fakeBinding(allow: number): RateLimitBinding & { keys: string[] } {
    const keys: string[] = [];
    return {
      keys,
      limit: async ({ key }) => {
        keys.push(key);
        return { success: keys.filter((k) => k === key).length <= allow };
      },
    };
  }

  it("count the general limit instead of the instance's memory", async () => {
    const api = fakeBinding(2);
    app.deps.rateLimiters = { api };
    expect((await me(member.token)).status).toBe(200);
    expect((await me(member.token)).status).toBe(200);
    await expectLimited(await me(member.token));
    expect(api.keys[0]).toMatch(/^user:[0-9a-f-]{36}\|GET \/api\/v2\/users\/(me|:user)$/);
  });

  it("turn a login flood away before the Postgres counter, without a query", async () => {
    const login = fakeBinding(1);
    app.deps.rateLimiters = { login };
    const attempt = () => send(app, "POST", "/users/login", undefined, { email: "nobody@example.com", password: "WrongPassword!123" });
    expect((await attempt()).status).toBe(401);
    let refused: Response | undefined;
    expect(await countQueries(app, async () => (refused = await attempt()))).toBe(0);
    expect(refused!.status).toBe(429);
    expect(refused!.headers.get("Retry-After")).toBe("60");
    expect(login.keys[0]).toMatch(/^POST \/users\/login\|ip\|192\.0\.2\.\d+$/);
  });
});
