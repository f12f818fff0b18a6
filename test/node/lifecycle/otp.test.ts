// Password reset by one-time passcode: delivery to a
// loopback webhook, the reset itself and its effects, every refusal in order, and what must stay secret.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Hasher } from "../../../src/auth/hasher.ts";
import type { Config } from "../../../src/config.ts";
import { users } from "../../../src/db/schema.ts";
import {
  type AddedUser,
  addUser,
  type Hook,
  keyCount,
  login,
  NEW_PASSWORD,
  post,
  send,
  startHook,
  startTestApp,
  type TestApp,
  userRow,
} from "../../support/harness.ts";

let app: TestApp;
let hook: Hook;
let base: Config;
beforeAll(async () => {
  hook = await startHook();
  app = await startTestApp({ env: { NOTIFICATIONS_WEBHOOK_URL: hook.url } });
  base = app.deps.config;
});
afterEach(() => {
  app.deps.config = base;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await app.close();
  await hook.close();
});

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INCORRECT = { message: "Incorrect email or one-time passcode." };

/** Requests a passcode for `email` and returns what the webhook received. */
async function requestPasscode(email: string): Promise<string> {
  const before = hook.received.length;
  const res = await post(app, "/users/otp/request", { email });
  expect(res.status).toBe(204);
  await app.settle();
  expect(hook.received).toHaveLength(before + 1);
  return hook.received.at(-1)!.json.passcode as string;
}

const change = (email: string, passcode: string, password = NEW_PASSWORD) =>
  post(app, "/users/otp/change-password", { email, one_time_passcode: passcode, password });

describe("request and use a passcode", () => {
  it("delivers the passcode to the webhook as JSON after a bare 204", async () => {
    const user = await addUser(app, { username: "forgetful" });
    const started = Date.now();
    const res = await post(app, "/users/otp/request", { email: user.email.toUpperCase() });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await app.settle();

    const delivery = hook.received.at(-1)!;
    expect(delivery).toMatchObject({ method: "POST", path: "/hooks/gatehouse", contentType: "application/json" });
    expect(Object.keys(delivery.json).sort()).toEqual(["email", "expires_at", "passcode", "template_id", "type", "user_id"]);
    expect(delivery.json).toMatchObject({ type: "one_time_passcode", email: user.email, user_id: user.id });
    expect(delivery.json.passcode).toMatch(UUID_RE);
    const expiresAt = Date.parse(delivery.json.expires_at as string);
    expect(expiresAt - started).toBeGreaterThanOrEqual(20 * 60_000 - 1000);
    expect(expiresAt - started).toBeLessThanOrEqual(20 * 60_000 + 60_000);

    // Stored as an argon2 hash, never as the passcode itself.
    const row = await userRow(app, user.id);
    expect(row.hashedOneTimePasscode).toMatch(/^\$argon2id\$/);
    expect(row.hashedOneTimePasscode).not.toContain(delivery.json.passcode as string);
    expect(await app.deps.hasher.verify(row.hashedOneTimePasscode!, delivery.json.passcode as string)).toBe(true);
    expect(row.oneTimePasscodeExpiresAt?.getTime()).toBe(expiresAt);
  });

  it("changes the password with it: new hash, passcode cleared, every key deleted", async () => {
    const user = await addUser(app, { username: "resetter", login: true });
    await login(app, user.email, user.password);
    const passcode = await requestPasscode(user.email);

    const res = await change(user.email, passcode);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const row = await userRow(app, user.id);
    expect(row.hashedOneTimePasscode).toBeNull();
    expect(row.oneTimePasscodeExpiresAt).toBeNull();
    expect(await app.deps.hasher.verify(row.hashedPassword, NEW_PASSWORD)).toBe(true);
    expect(await keyCount(app, user.id)).toBe(0);
    expect((await send(app, "GET", "/users/me", user.token)).status).toBe(401);
    expect(await login(app, user.email, NEW_PASSWORD)).toBeTruthy();
    // Single use.
    expect(await (await change(user.email, passcode, "AnotherStrongPass#1")).json()).toEqual(INCORRECT);
  });

  it("honours OTP_VALIDITY", async () => {
    app.deps.config = { ...base, otpValidityMs: 5 * 60_000 };
    const user = await addUser(app, { username: "hurried" });
    const started = Date.now();
    await requestPasscode(user.email);
    const expiresAt = (await userRow(app, user.id)).oneTimePasscodeExpiresAt!.getTime();
    expect(expiresAt - started).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    expect(expiresAt - started).toBeLessThan(6 * 60_000);
  });
});

describe("refusals, in order", () => {
  let user: AddedUser;
  beforeAll(async () => {
    user = await addUser(app, { username: "refused" });
  });

  it("403 on both routes when password auth is disabled, before the body", async () => {
    app.deps.config = { ...base, disablePasswordAuth: true };
    for (const path of ["/users/otp/request", "/users/otp/change-password"]) {
      const res = await send(app, "POST", path);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: "Password authentication is disabled." });
    }
  });

  it("400 for a malformed request body", async () => {
    const empty = await send(app, "POST", "/users/otp/request");
    expect(await empty.json()).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const bad = await post(app, "/users/otp/request", { email: "not-an-email" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      message: "Validation failed.",
      validations: [{ field: "email", detail: 'Validation failed for tag "email" with value: "not-an-email"' }],
    });
    const missing = await post(app, "/users/otp/change-password", { email: user.email, password: NEW_PASSWORD });
    expect(missing.status).toBe(400);
    expect((await missing.json()) as object).toMatchObject({ validations: [{ field: "one_time_passcode" }] });
  });

  it("checks strength first, whatever the email and passcode", async () => {
    const res = await change("nobody@example.com", "wrong", "password");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; validations: { field: string; detail: string }[] };
    expect(body.message).toBe("Invalid password.");
    expect(body.validations.map((v) => v.field)).toEqual(["password"]);
  });

  it("one answer for an unknown email, a wrong passcode and an expired one", async () => {
    const passcode = await requestPasscode(user.email);
    expect(await (await change("nobody@example.com", passcode)).json()).toEqual(INCORRECT);
    const wrong = await change(user.email, crypto.randomUUID());
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual(INCORRECT);

    await app.db
      .update(users)
      .set({ oneTimePasscodeExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(users.id, user.id));
    const expired = await change(user.email, passcode);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual(INCORRECT);
    expect(await app.deps.hasher.verify((await userRow(app, user.id)).hashedPassword, user.password)).toBe(true);
  });

  it("refuses the current password as the new one", async () => {
    const passcode = await requestPasscode(user.email);
    const res = await change(user.email, passcode, user.password);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "New password cannot match old password." });
    expect((await userRow(app, user.id)).hashedOneTimePasscode).not.toBeNull();
  });
});

describe("enumeration, replay and leaks", () => {
  it("answers 204 for an unknown email after the same argon2 work, and sends nothing", async () => {
    const real = app.deps.hasher;
    const calls: string[] = [];
    const counting: Hasher = {
      hash: (p) => (calls.push("hash"), real.hash(p)),
      verify: (h, p) => (calls.push("verify"), real.verify(h, p)),
    };
    app.deps.hasher = counting;
    try {
      const before = hook.received.length;
      const res = await post(app, "/users/otp/request", { email: "nobody@example.com" });
      expect(res.status).toBe(204);
      await app.settle();
      expect(hook.received).toHaveLength(before);
      expect(calls).toEqual(["hash"]);
    } finally {
      app.deps.hasher = real;
    }
  });

  it("issues nothing to an SSO user, with the same 204", async () => {
    const sso = await addUser(app, { username: "sso-otp", loginType: "oidc" });
    const before = hook.received.length;
    expect((await post(app, "/users/otp/request", { email: sso.email })).status).toBe(204);
    await app.settle();
    expect(hook.received).toHaveLength(before);
    expect((await userRow(app, sso.id)).hashedOneTimePasscode).toBeNull();
  });

  it("replaces the previous passcode with each request", async () => {
    const user = await addUser(app, { username: "twice-asked" });
    const first = await requestPasscode(user.email);
    const second = await requestPasscode(user.email);
    expect(await (await change(user.email, first)).json()).toEqual(INCORRECT);
    expect((await change(user.email, second)).status).toBe(204);
  });

  it("lets only one of two concurrent uses of a passcode succeed", async () => {
    const user = await addUser(app, { username: "racing-reset" });
    const passcode = await requestPasscode(user.email);
    const results = await Promise.all([
      change(user.email, passcode, "FirstStrongPass#1"),
      change(user.email, passcode, "SecondStrongPass#2"),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it("never writes the passcode to the log when a webhook is configured, nor when the webhook fails", async () => {
    const failing = await startHook(500);
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    }
    try {
      app.deps.config = { ...base, notificationsWebhookUrl: failing.url };
      const user = await addUser(app, { username: "logged" });
      expect((await post(app, "/users/otp/request", { email: user.email })).status).toBe(204);
      await app.settle();
      const passcode = failing.received[0]!.json.passcode as string;
      expect(lines.some((l) => l.includes("refused a one-time passcode") && l.includes('"status":500'))).toBe(true);
      expect(lines.join("\n")).not.toContain(passcode);
    } finally {
      await failing.close();
    }
  });

  it("logs the passcode as one JSON line only on a local server without a webhook", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const user = await addUser(app, { username: "local-dev" });

    app.deps.config = { ...base, notificationsWebhookUrl: undefined, logNotifications: true };
    await post(app, "/users/otp/request", { email: user.email });
    await app.settle();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, string>;
    expect(line).toMatchObject({ level: "info", type: "one_time_passcode", email: user.email, user_id: user.id });
    expect((await change(user.email, line.passcode!)).status).toBe(204);

    app.deps.config = { ...base, notificationsWebhookUrl: undefined, logNotifications: false };
    await post(app, "/users/otp/request", { email: user.email });
    await app.settle();
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual({
      level: "warn",
      msg: "one-time passcode not delivered: NOTIFICATIONS_WEBHOOK_URL is not set",
      user_id: user.id,
    });
  });
});
