// The client address behind reverse proxies, and IPv6 budgets per /64. Proxies are only believed when
// TRUSTED_PROXIES names them: X-Forwarded-For is read from the right, trusted hops skipped, and the first
// untrusted address is the client. The rate limits count an IPv6 client per /64, while records keep the
// full address. These suites speak to a real socket on 127.0.0.1, as the Node entry does.
import { serve, type ServerType } from "@hono/node-server";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import { ConfigError, loadConfig } from "../../../src/config.ts";
import { cloudflareClientIp, forwardedClientIp, parseTrustedProxies, rateLimitSubject } from "../../../src/security/client-ip.ts";
import { nodeClientIp } from "../../../src/security/node-client-ip.ts";
import { addUser, API, keyRowOf, send, startTestApp, type TestApp, useClockApp, useStarted, withOwner } from "../../support/harness.ts";

const PER_IP = 3;
const LIMITS = { DISABLE_RATE_LIMITS: "false", LOGIN_RATE_LIMIT: String(PER_IP), LOGIN_RATE_LIMIT_PER_ACCOUNT: "1000" };
const ALICE = { email: "alice@example.com", password: "AlicePassword!123" };

/**
 * For the describe block: a test app served on a loopback socket, its client address resolved as
 * src/server.ts resolves it, with the owner and Alice in it.
 */
const useListening = (env: Record<string, string>) => useStarted("the listening app", () => listen(env));

async function listen(env: Record<string, string>): Promise<{ app: TestApp; url: string; close(): Promise<void> }> {
  // The set-up's own requests (first user, sign-in) come from elsewhere, so they spend no test's budget.
  const app = await startTestApp({ env: { ...LIMITS, ...env }, clientIp: "192.0.2.250" });
  await withOwner(app);
  await addUser(app, { username: "alice", ...ALICE });
  const hono = createApp();
  const { server, url } = await new Promise<{ server: ServerType; url: string }>((resolve) => {
    const server = serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: (req, nodeEnv) => hono.fetch(req, { deps: app.deps, clientIp: nodeClientIp(req, nodeEnv, app.deps.config.trustedProxies) }),
      },
      (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }),
    );
  });
  return {
    app,
    url,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}

const loginOver = (url: string, forwardedFor: string | undefined, body: { email: string; password: string }) =>
  fetch(`${url}${API}/users/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "X-Forwarded-For": forwardedFor } : {}) },
    body: JSON.stringify(body),
  });
const wrong = { email: "nobody@example.com", password: "WrongPassword!123" };

describe("X-Forwarded-For from a peer that is not a trusted proxy", () => {
  // The proxies it trusts are elsewhere: the test's own loopback connection is an ordinary client.
  const live = useListening({ TRUSTED_PROXIES: "10.0.0.0/8" });

  it("attack: a spoofed X-Forwarded-For does not buy a new login budget, and is not recorded", async () => {
    const signedIn = await loginOver(live.url, "198.51.100.100", ALICE);
    expect(signedIn.status).toBe(201);
    const { session_token } = (await signedIn.json()) as { session_token: string };
    expect((await keyRowOf(live.app, session_token))!.ipAddress).toBe("127.0.0.1");
    for (let i = 1; i < PER_IP; i++) expect((await loginOver(live.url, `198.51.100.${i}`, wrong)).status).toBe(401);
    expect((await loginOver(live.url, "198.51.100.200", wrong)).status).toBe(429);
    expect((await loginOver(live.url, "10.0.0.9", wrong)).status).toBe(429);
  });
});

describe("behind trusted proxies", () => {
  const live = useListening({ TRUSTED_PROXIES: "127.0.0.0/8, ::1, 10.0.0.0/8" });

  it("attack: every client behind the proxy no longer shares one login budget", async () => {
    // Two proxies: the client's own entry, then the inner proxy's (10.0.0.2) as the outer one appended it.
    for (let i = 0; i < PER_IP; i++) expect((await loginOver(live.url, "203.0.113.5, 10.0.0.2", wrong)).status).toBe(401);
    expect((await loginOver(live.url, "203.0.113.5, 10.0.0.2", wrong)).status).toBe(429);
    // Another client of the same proxies still signs in: before, 127.0.0.1's budget was everyone's.
    const other = await loginOver(live.url, "203.0.113.6, 10.0.0.2", ALICE);
    expect(other.status).toBe(201);
    const { session_token } = (await other.json()) as { session_token: string };
    expect((await keyRowOf(live.app, session_token))!.ipAddress).toBe("203.0.113.6");
  });

  it("entries a client prepends to the header are not believed: the first untrusted hop from the right is the client", async () => {
    for (let i = 0; i < PER_IP; i++) expect((await loginOver(live.url, `192.0.2.${i + 1}, 203.0.113.7`, wrong)).status).toBe(401);
    expect((await loginOver(live.url, "192.0.2.99, 203.0.113.7", wrong)).status).toBe(429);
  });
});

describe("IPv6 clients share one budget per /64", () => {
  const { app } = useClockApp({ env: LIMITS, owner: true });
  beforeAll(async () => {
    await addUser(app, { username: "alice", ...ALICE });
  });
  beforeEach(() => app.clock.advance(60_000));

  const login = (body = wrong) => send(app, "POST", "/users/login", undefined, body);

  it("attack: rotating addresses inside one /64 does not multiply the login budget", async () => {
    for (let i = 0; i < PER_IP; i++) {
      app.setIp(`2001:db8:1:2::${(i + 1).toString(16)}`);
      expect((await login()).status).toBe(401);
    }
    app.setIp("2001:db8:1:2:ffff:ffff:ffff:fffe");
    expect((await login()).status).toBe(429);
    // The next /64 is another client, and the record keeps the full address.
    app.setIp("2001:db8:1:3::1");
    const res = await login(ALICE);
    expect(res.status).toBe(201);
    const { session_token } = (await res.json()) as { session_token: string };
    expect((await keyRowOf(app, session_token))!.ipAddress).toBe("2001:db8:1:3::1");
  });

  it("counts an IPv4-mapped IPv6 address as the IPv4 address it is", async () => {
    for (let i = 0; i < PER_IP; i++) {
      app.setIp(i % 2 === 0 ? "::ffff:192.0.2.77" : "192.0.2.77");
      expect((await login()).status).toBe(401);
    }
    app.setIp("::ffff:c000:24d");
    expect((await login()).status).toBe(429);
  });
});

describe("the resolution rules", () => {
  const trusted = parseTrustedProxies(["10.0.0.0/8", "fd00::/8", "192.0.2.1"]).proxies;

  it("takes the peer when it is not trusted, whatever the header says", () => {
    expect(forwardedClientIp("198.51.100.1", "1.2.3.4", trusted)).toBe("198.51.100.1");
    expect(forwardedClientIp("198.51.100.1", "1.2.3.4", [])).toBe("198.51.100.1");
  });

  it("walks trusted hops from the right; ports and brackets are read, garbage stops the walk at the last trusted hop", () => {
    expect(forwardedClientIp("10.1.1.1", "6.6.6.6, 203.0.113.1, 10.0.0.5", trusted)).toBe("203.0.113.1");
    expect(forwardedClientIp("192.0.2.1", "203.0.113.1:5000", trusted)).toBe("203.0.113.1");
    expect(forwardedClientIp("fd00::1", "[2001:db8::1]:443, fd12::2", trusted)).toBe("2001:db8::1");
    expect(forwardedClientIp("10.1.1.1", "203.0.113.1, not-an-ip", trusted)).toBe("10.1.1.1");
    expect(forwardedClientIp("10.1.1.1", "10.2.2.2, 10.3.3.3", trusted)).toBe("10.2.2.2");
    expect(forwardedClientIp("10.1.1.1", "", trusted)).toBe("10.1.1.1");
    expect(forwardedClientIp("::ffff:10.1.1.1", "203.0.113.1", trusted)).toBe("203.0.113.1");
    expect(forwardedClientIp(undefined, "203.0.113.1", trusted)).toBeUndefined();
  });

  it("reads CF-Connecting-IP on Workers and nothing else", () => {
    expect(cloudflareClientIp(new Headers({ "CF-Connecting-IP": "2001:0DB8::0001", "X-Forwarded-For": "1.2.3.4" }))).toBe("2001:db8::1");
    expect(cloudflareClientIp(new Headers({ "X-Forwarded-For": "1.2.3.4" }))).toBeUndefined();
    expect(cloudflareClientIp(new Headers({ "CF-Connecting-IP": "evil" }))).toBeUndefined();
  });

  it("keys IPv6 per /64 and IPv4 per address", () => {
    expect(rateLimitSubject("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(rateLimitSubject("2001:db8::1")).toBe("2001:db8::/64");
    expect(rateLimitSubject("203.0.113.9")).toBe("203.0.113.9");
  });
});

describe("TRUSTED_PROXIES", () => {
  it("is empty by default and parses IPv4 and IPv6 ranges and single addresses", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, 2001:db8::/32,192.0.2.1" }).trustedProxies).toHaveLength(3);
  });

  it("refuses a bad range at start-up, naming it", () => {
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "example.com", "010.0.0.0/8", "10.0.0.0/8/8", "1:2:3:4:5:6:7:8:9/64"]) {
      expect(() => loadConfig({ TRUSTED_PROXIES: `192.0.2.1,${bad}` }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(`TRUSTED_PROXIES: "${bad}" is not an IPv4 or IPv6 address or CIDR range`);
    }
  });
});
