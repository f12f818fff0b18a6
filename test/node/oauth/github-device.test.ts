// Sign in with GitHub's device flow (the CLI's way), and GitHub left unconfigured, against a fake GitHub on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, useTestApp } from "../../support/harness.ts";
import { body, Browser, signedInAs, GITHUB_CALLBACK } from "./browser.ts";
import { account, startFakeGithub, type FakeGithub } from "./fake-github.ts";

let github: FakeGithub;
beforeAll(async () => {
  github = await startFakeGithub();
});
afterAll(() => github.close());

describe("GitHub device flow", () => {
  const { app } = useTestApp({
    env: () => github.env({ CODER_OAUTH2_GITHUB_DEVICE_FLOW: "true", CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }),
  });

  it("authorizes a device, waits for approval, then signs in with JSON answers", async () => {
    const device = await app.request("/api/v2/users/oauth2/github/device");
    expect(device.status).toBe(200);
    const codes = await body(device);
    expect(codes).toEqual({
      device_code: expect.any(String),
      user_code: "ABCD-1234",
      verification_uri: "https://github.example/login/device",
      expires_in: 900,
      interval: 5,
    });

    const browser = new Browser(app);
    const start = await browser.get(`${GITHUB_CALLBACK}?redirect=/after`);
    expect(start.status).toBe(307);
    const state = browser.cookies.get("oauth_state")!;
    expect(start.headers.get("location")).toBe(`/login/device?state=${encodeURIComponent(state)}`);

    const poll = `${GITHUB_CALLBACK}?code=${codes.device_code}&state=${encodeURIComponent(state)}`;
    const pending = await browser.get(poll);
    expect(pending.status).toBe(400);
    expect(await body(pending)).toEqual({ message: "Failed exchanging Oauth code.", detail: "authorization_pending" });

    github.signIn(account({ login: "device-user" }));
    github.approveDevice(codes.device_code);
    const done = await browser.get(poll);
    expect(done.status).toBe(200);
    expect(await body(done)).toEqual({ redirect_url: "/after" });
    expect(await signedInAs(app, browser)).toMatchObject({ username: "device-user", login_type: "github" });
  });

  it("answers organization refusals as JSON", async () => {
    const codes = await body(await app.request("/api/v2/users/oauth2/github/device"));
    const browser = new Browser(app);
    await browser.get(GITHUB_CALLBACK);
    github.signIn(account({ login: "device-outsider", orgs: [] }));
    github.approveDevice(codes.device_code);
    const res = await browser.get(`${GITHUB_CALLBACK}?code=${codes.device_code}&state=${browser.cookies.get("oauth_state")}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
    expect(await body(res)).toEqual({ message: "Unauthorized", detail: "You aren't a member of the authorized Github organizations!" });
  });
});

describe("GitHub not configured, or without the device flow", () => {
  it("answers as Coder does", async () => {
    const bare = await startTestApp();
    const webOnly = await startTestApp({ env: github.env() });
    try {
      const callback = await bare.request(GITHUB_CALLBACK);
      expect(callback.status).toBe(428);
      expect(await body(callback)).toEqual({ message: "The oauth2 method requested is not configured!" });
      const device = await bare.request("/api/v2/users/oauth2/github/device");
      expect(device.status).toBe(400);
      expect(await body(device)).toEqual({ message: "Github OAuth2 is not enabled." });
      const disabled = await webOnly.request("/api/v2/users/oauth2/github/device");
      expect(disabled.status).toBe(400);
      expect(await body(disabled)).toEqual({ message: "Device flow is not enabled for Github OAuth2." });
    } finally {
      await bare.close();
      await webOnly.close();
    }
  });
});
