// Login CSRF through the OAuth callbacks. The provider's redirect back is a top-level cross-site GET
// navigation and must keep working; an attacker's own `code` and `state`, replayed in the victim's browser,
// must not sign the victim in (RFC 6749 §10.12: the state is bound to the browser by the state cookie);
// and a cross-site request that is not a navigation (an image, a fetch), which no provider sends, is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import { ACCESS_URL, json, startTestApp, type TestApp } from "../../support/harness.ts";
import { Browser, GITHUB_CALLBACK, setCookies } from "../oauth/browser.ts";
import { account, startFakeGithub, type FakeGithub } from "../oauth/fake-github.ts";

/** The headers Chromium sends when a page on another site sends the browser here. */
const CROSS_SITE_NAVIGATION = {
  "sec-fetch-site": "cross-site",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
  "sec-fetch-user": "?1",
};

let github: FakeGithub;
let app: TestApp;
beforeAll(async () => {
  github = await startFakeGithub();
  app = await startTestApp({ env: github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) });
});
afterAll(async () => {
  await app.close();
  await github.close();
});

/** Starts a flow in `browser` and lets GitHub approve it; returns the callback URL GitHub sends back to. */
async function approvedCallback(browser: Browser): Promise<string> {
  const start = await browser.get(GITHUB_CALLBACK);
  expect(start.status).toBe(307);
  const back = await fetch(start.headers.get("location")!, { redirect: "manual" });
  expect(back.status).toBe(302);
  const url = new URL(back.headers.get("location")!);
  return url.pathname + url.search;
}

/** Sends `path` from `browser` with its cookies and the given browser headers, keeping what it sets. */
async function visit(browser: Browser, path: string, headers: Record<string, string>): Promise<Response> {
  const res = await app.request(path, { headers: { cookie: browser.cookieHeader(), ...headers } });
  browser.absorb(res);
  return res;
}

const keyCount = async () => (await app.db.select({ id: apiKeys.id }).from(apiKeys)).length;

describe("login CSRF on the OAuth callbacks", () => {
  it("the provider's redirect back, a top-level cross-site navigation, signs the browser in", async () => {
    github.signIn(account({ login: "victim" }));
    const browser = new Browser(app);
    const callback = await approvedCallback(browser);
    const res = await visit(browser, callback, CROSS_SITE_NAVIGATION);
    expect(res.status).toBe(307);
    expect(setCookies(res).some((c) => c.startsWith("coder_session_token="))).toBe(true);
  });

  it("attack: the attacker's own code and state, replayed in the victim's browser by a cross-site navigation, are refused by the state check", async () => {
    github.signIn(account({ login: "mallory" }));
    const callback = await approvedCallback(new Browser(app));
    // The victim once started a sign-in of their own: their browser holds a state, not the attacker's.
    const victim = new Browser(app);
    await victim.get(GITHUB_CALLBACK);
    const before = await keyCount();
    const res = await visit(victim, callback, CROSS_SITE_NAVIGATION);
    // Refused with 401 "State mismatched."; a browser's navigation is shown that on the sign-in page.
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?message=State+mismatched.");
    expect(victim.cookies.has("coder_session_token")).toBe(false);
    expect(await keyCount()).toBe(before);

    // A browser that never started a flow has no state cookie at all.
    const fresh = new Browser(app);
    const none = await visit(fresh, callback, CROSS_SITE_NAVIGATION);
    expect(none.status).toBe(303);
    expect(new URL(none.headers.get("location")!, "http://x").searchParams.get("message")).toBe('Cookie "oauth_state" must be provided.');
    // The same refusal as the API answers it to a client that does not navigate.
    const api = await app.request(callback, { headers: { cookie: fresh.cookieHeader() } });
    expect(api.status).toBe(401);
    expect(await json(api)).toEqual({ message: 'Cookie "oauth_state" must be provided.' });
    expect(await keyCount()).toBe(before);
  });

  it.each([
    ["an <img> on another site", { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }],
    ["a frame on another site", { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" }],
    [
      "a fetch from another site",
      { origin: "https://evil.test", "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" },
    ],
    ["a fetch from a sibling subdomain", { "sec-fetch-site": "same-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" }],
  ])("attack: a callback request from %s is refused before the flow runs", async (_name, headers) => {
    github.signIn(account({ login: "mallory" }));
    const browser = new Browser(app);
    const callback = await approvedCallback(browser);
    const before = await keyCount();
    // Even with this browser's own state cookie (a same-site page gets it sent along), nothing happens.
    const res = await visit(browser, callback, headers);
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({
      message: "Cross-site request refused.",
      detail: `An OAuth callback that is not the provider's redirect must come from ${ACCESS_URL}.`,
    });
    expect(setCookies(res)).toEqual([]);
    expect(await keyCount()).toBe(before);
  });

  it("a same-origin request (the dashboard's device-flow page) and a non-browser client pass the guard", async () => {
    github.signIn(account({ login: "cli-user" }));
    const browser = new Browser(app);
    const callback = await approvedCallback(browser);
    const res = await visit(browser, callback, { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" });
    expect(res.status).toBe(307);

    const plain = new Browser(app);
    const again = await visit(plain, await approvedCallback(plain), {});
    expect(again.status).toBe(307);
    expect(plain.cookies.has("coder_session_token")).toBe(true);
  });
});
