// What the conversion suites share: asking POST /users/{user}/convert-login from a browser (the state cookie
// lands in it), and the callback's start with the dashboard's `oidc_merge_state`.
import { expect } from "vitest";
import type { AddedUser, TestApp } from "../../support/harness.ts";
import { body, type Browser } from "./browser.ts";

export const CONVERT_COOKIE = "coder_oauth_convert_jwt";

/** POST /users/me/convert-login as `user`, from `browser` (which keeps the cookie). */
export async function askConvert(app: TestApp, browser: Browser, user: AddedUser, toType: string, password = user.password) {
  const res = await app.request("/api/v2/users/me/convert-login", {
    method: "POST",
    token: user.token,
    json: { to_type: toType, password },
    headers: { cookie: browser.cookieHeader() },
  });
  browser.absorb(res);
  return res;
}

/** A conversion granted to `user`: its state string (the cookie is in `browser`). */
export async function convertState(app: TestApp, browser: Browser, user: AddedUser, toType: "github" | "oidc"): Promise<string> {
  const res = await askConvert(app, browser, user, toType);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await body(res)).state_string as string;
}

/** The dashboard's redirect after a granted conversion (site/src/pages/UserSettingsPage/SecurityPage). */
export const startPath = (callback: string, state: string, redirect = "/settings/security") =>
  `${callback}?oidc_merge_state=${encodeURIComponent(state)}&redirect=${encodeURIComponent(redirect)}`;
