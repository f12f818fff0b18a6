// Targeted account lockout: guessing an account's password from many addresses locks the account for
// unknown devices only. A browser or client that signed in to the account before holds a signed device
// cookie (OWASP: Slow Down Online Guessing Attacks with Device Cookies) and keeps signing in; only failures
// count against the account; a device that keeps failing is locked out itself.
import { beforeEach, describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { type AddedUser, addUser, json, send, useClockApp } from "../../support/harness.ts";

const PER_ACCOUNT = 3;
const LIMITS = { DISABLE_RATE_LIMITS: "false", LOGIN_RATE_LIMIT: "1000", LOGIN_RATE_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT) };
const MINUTE = 60_000;
const DAY = 24 * 3600_000;

// On a database reached over TCP: a real Postgres with TEST_DATABASE_URL, as the counters run in production.
const { app } = useClockApp({ env: LIMITS, database: "devices", owner: true });
let ipCounter = 0;
/** Every attacker request from an address of its own: a botnet. */
const freshIp = () => `198.18.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`;
const OWNER_IP = "192.0.2.10";

beforeEach(() => app.clock.advance(MINUTE));

let userCounter = 0;
const newUser = () => addUser(app, { username: `victim${++userCounter}`, password: "VictimPassword!123" });

/** A sign-in, with a `Cookie` header when given one. */
async function signIn(user: AddedUser, options: { password?: string; cookie?: string; ip?: string } = {}) {
  app.setIp(options.ip ?? freshIp());
  const body = { email: user.email, password: options.password ?? user.password };
  return send(app, "POST", "/users/login", undefined, body, options.cookie ? { Cookie: options.cookie } : undefined);
}

/** Every Set-Cookie line apart (Node's Headers has getSetCookie; the project's lib types predate it). */
const setCookies = (res: Response) => (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie();

/** The device cookie a response sets, as `name=value` for a Cookie header, with its attributes. */
function deviceCookie(res: Response): { pair: string; name: string; value: string; attributes: string } {
  const header = setCookies(res).find((h) => h.startsWith("gatehouse_device_"));
  if (!header) throw new Error(`no device cookie in ${res.status} response`);
  const [pair, ...attributes] = header.split("; ");
  const [name, value] = pair!.split(/=(.*)/s) as [string, string];
  return { pair: pair!, name, value, attributes: attributes.join("; ") };
}

/** What a browser sends back: every cookie the response set, as one Cookie header. */
const cookieJar = (res: Response) =>
  setCookies(res)
    .map((line) => line.split("; ")[0])
    .join("; ");

/** Guesses from many addresses until the account is locked for unknown devices; bounded. */
async function lockAccount(user: AddedUser): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < PER_ACCOUNT + 2; i++) statuses.push((await signIn(user, { password: `Guess-${i}-Wrong!` })).status);
  expect(statuses).toEqual([...Array<number>(PER_ACCOUNT).fill(401), 429, 429]);
}

async function expectLocked(res: Response) {
  expect(res.status).toBe(429);
  expect(await json(res)).toEqual({ message: `You've been rate limited for sending more than ${PER_ACCOUNT} requests in 1m0s.` });
}

describe("device cookies", () => {
  it("attack: distributed guessing no longer locks the owner out; an unknown device is still throttled", async () => {
    const victim = await newUser();
    app.clock.advance(-2 * DAY); // the owner signed in on their laptop two days ago
    const signedIn = await signIn(victim, { ip: OWNER_IP });
    expect(signedIn.status).toBe(201);
    const laptop = cookieJar(signedIn);
    app.clock.advance(2 * DAY);

    // A sustained attack: several windows, each opened by a burst of guesses from new addresses.
    for (let round = 0; round < 3; round++) {
      await lockAccount(victim);
      const owner = await signIn(victim, { cookie: laptop, ip: OWNER_IP });
      expect(owner.status).toBe(201);
      expect((await json<{ session_token: string }>(owner)).session_token).toMatch(/^ey/);
      // The right password from a device the account has not seen is refused like a guess.
      await expectLocked(await signIn(victim));
      await expectLocked(await signIn(victim, { password: "Guess-after-Wrong!" }));
      app.clock.advance(MINUTE);
    }
  });

  it("only failed sign-ins count against the account: its owner signing in often never locks it", async () => {
    const victim = await newUser();
    for (let i = 0; i < PER_ACCOUNT + 3; i++) expect((await signIn(victim)).status).toBe(201);
    // Failures still do, up to the limit.
    for (let i = 0; i < PER_ACCOUNT; i++) expect((await signIn(victim, { password: "Wrong-Password-1!" })).status).toBe(401);
    await expectLocked(await signIn(victim));
  });

  it("attack: a device cookie issued for account A does not exempt sign-in to account B", async () => {
    const a = await newUser();
    const b = await newUser();
    const cookieA = deviceCookie(await signIn(a));
    const cookieB = deviceCookie(await signIn(b));
    expect(cookieB.name).not.toBe(cookieA.name);
    app.clock.advance(MINUTE);
    await lockAccount(b);
    await expectLocked(await signIn(b, { cookie: cookieA.pair }));
    // A's signed value under B's cookie name: the signature covers the account, so it is not B's device.
    await expectLocked(await signIn(b, { cookie: `${cookieB.name}=${cookieA.value}` }));
    expect((await signIn(b, { cookie: cookieB.pair })).status).toBe(201);
  });

  it("attack: a forged or tampered device cookie exempts nothing", async () => {
    const victim = await newUser();
    const real = deviceCookie(await signIn(victim));
    app.clock.advance(MINUTE);
    await lockAccount(victim);
    const [version, expiry, id, mac] = real.value.split(".") as [string, string, string, string];
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    const forged = [
      [version, expiry, id, flip(mac)], // a changed signature
      [version, String(Number(expiry) + 86400 * 365), id, mac], // a later expiry
      [version, expiry, flip(id), mac], // another device's id
      ["v2", expiry, id, mac],
      [version, expiry, id, mac.slice(0, -1)],
    ].map((parts) => parts.join("."));
    for (const value of [...forged, "garbage", ""]) await expectLocked(await signIn(victim, { cookie: `${real.name}=${value}` }));
    // The same request with the genuine cookie goes through.
    expect((await signIn(victim, { cookie: real.pair })).status).toBe(201);
  });

  it("a known device that keeps failing is locked out itself, until the next window", async () => {
    const victim = await newUser();
    const device = deviceCookie(await signIn(victim));
    app.clock.advance(MINUTE);
    await lockAccount(victim);
    for (let i = 0; i < PER_ACCOUNT; i++)
      expect((await signIn(victim, { cookie: device.pair, password: "Wrong-Again-1!" })).status).toBe(401);
    await expectLocked(await signIn(victim, { cookie: device.pair }));
    app.clock.advance(MINUTE);
    expect((await signIn(victim, { cookie: device.pair })).status).toBe(201);
  });

  it("expires after 30 days unless renewed by a sign-in, and is forgotten when the signing key is rotated", async () => {
    const victim = await newUser();
    const old = deviceCookie(await signIn(victim));
    app.clock.advance(29 * DAY);
    const renewed = deviceCookie(await signIn(victim, { cookie: old.pair }));
    expect(renewed.value.split(".")[2]).toBe(old.value.split(".")[2]); // the same device, renewed
    app.clock.advance(2 * DAY);
    await lockAccount(victim);
    await expectLocked(await signIn(victim, { cookie: old.pair }));
    expect((await signIn(victim, { cookie: renewed.pair })).status).toBe(201);

    const tokens = app.deps.tokens;
    app.deps.tokens = await TokenService.create([await TokenService.generateKey()], tokens.issuer, tokens.audience);
    try {
      await expectLocked(await signIn(victim, { cookie: renewed.pair }));
    } finally {
      app.deps.tokens = tokens;
    }
  });

  it("is set once by a sign-in, renewed once by the next, and never by a failed one", async () => {
    const user = await newUser();
    const devices = (res: Response) => setCookies(res).filter((h) => h.startsWith("gatehouse_device_"));
    const first = await signIn(user, { ip: OWNER_IP });
    expect(first.status).toBe(201);
    expect(devices(first)).toHaveLength(1);
    const again = await signIn(user, { ip: OWNER_IP, cookie: deviceCookie(first).pair });
    expect(again.status).toBe(201);
    expect(devices(again)).toHaveLength(1);
    const failed = await signIn(user, { ip: OWNER_IP, cookie: deviceCookie(first).pair, password: "Wrong-Password-1!" });
    expect(failed.status).toBe(401);
    expect(devices(failed)).toEqual([]);
  });

  it("is HttpOnly, SameSite=Strict, limited to the sign-in path, and Secure on an https access URL", async () => {
    const victim = await newUser();
    const plain = deviceCookie(await signIn(victim));
    expect(plain.attributes.split("; ").sort()).toEqual(["HttpOnly", "Max-Age=2592000", "Path=/api/v2/users/login", "SameSite=Strict"]);
    expect(plain.value).toMatch(/^v1\.\d+\.[\w-]{22}\.[\w-]{43}$/);
    // Neither the email nor the password appears in the cookie.
    expect(`${plain.name}${plain.value}`).not.toMatch(/victim|example|Password/i);
    app.deps.config.secureCookies = true;
    try {
      expect(deviceCookie(await signIn(victim)).attributes).toContain("Secure");
    } finally {
      app.deps.config.secureCookies = false;
    }
    // Failed sign-ins are given none.
    expect(setCookies(await signIn(victim, { password: "Wrong-Password-9!" }))).toEqual([]);
  });
});
