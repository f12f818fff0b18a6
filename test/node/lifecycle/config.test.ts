// The configuration behind password resets: NOTIFICATIONS_WEBHOOK_URL, OTP_VALIDITY, and when a server
// may fall back to logging passcodes (only a local one without a webhook).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.ts";

describe("notification and passcode settings", () => {
  it("defaults to a 20 minute passcode and no webhook", () => {
    const config = loadConfig({});
    expect(config.otpValidityMs).toBe(20 * 60_000);
    expect(config.notificationsWebhookUrl).toBeUndefined();
  });

  it("reads OTP_VALIDITY as a Go duration and refuses nonsense", () => {
    expect(loadConfig({ OTP_VALIDITY: "1h30m" }).otpValidityMs).toBe(90 * 60_000);
    expect(() => loadConfig({ OTP_VALIDITY: "soon" })).toThrow(ConfigError);
    expect(() => loadConfig({ OTP_VALIDITY: "0s" })).toThrow(/OTP_VALIDITY/);
  });

  it("accepts only http(s) webhook URLs", () => {
    expect(loadConfig({ NOTIFICATIONS_WEBHOOK_URL: "https://hooks.example.com/x" }).notificationsWebhookUrl).toBe(
      "https://hooks.example.com/x",
    );
    expect(() => loadConfig({ NOTIFICATIONS_WEBHOOK_URL: "ftp://hooks.example.com" })).toThrow(/NOTIFICATIONS_WEBHOOK_URL/);
    expect(() => loadConfig({ NOTIFICATIONS_WEBHOOK_URL: "not a url" })).toThrow(ConfigError);
  });

  it.each([
    [{}, true],
    [{ CODER_ACCESS_URL: "http://localhost:3000" }, true],
    [{ CODER_ACCESS_URL: "http://[::1]:8787" }, true],
    [{ CODER_ACCESS_URL: "https://coder.example.com" }, false],
    [{ NOTIFICATIONS_WEBHOOK_URL: "http://127.0.0.1:9/hook" }, false],
  ])("logs passcodes for %j: %s", (env, expected) => {
    expect(loadConfig(env).logNotifications).toBe(expected);
  });
});
