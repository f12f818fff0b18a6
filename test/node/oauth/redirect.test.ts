// Open redirect after sign-in: the post-login destination, from the `redirect` parameter or a planted
// oauth_redirect cookie, is always a path on the access URL's origin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeRedirect } from "../../../src/oauth/index.ts";
import { ACCESS_URL, startTestApp, type TestApp } from "../../support/harness.ts";
import { startOidcProvider, type OidcProvider } from "../../support/oidc-provider.ts";
import { Browser, GITHUB_CALLBACK, OIDC_CALLBACK } from "./browser.ts";
import { account, startFakeGithub, type FakeGithub } from "./fake-github.ts";

/** Where a browser on the access URL ends up for a Location value (the WHATWG URL parser, as browsers). */
const landing = (location: string) => new URL(location, `${ACCESS_URL}/api/v2/users/oidc/callback`);

describe("safeRedirect", () => {
  it.each([
    ["/.//evil.test", "dot segment leaving an empty first segment"],
    ["/%2e%2e//evil.test", "percent-encoded dot segment"],
    ["//evil.test", "protocol-relative"],
    ["/%2F/evil.test", "encoded slash"],
    ["/%2f%2fevil.test", "encoded slashes, lower case"],
    ["%2F%2Fevil.test", "fully encoded protocol-relative"],
    ["/%252F%252Fevil.test", "double-encoded slashes"],
    ["/%255C%255Cevil.test", "double-encoded backslashes"],
    ["/%5cevil.test", "encoded backslash"],
    ["/\\evil.test", "backslash as a slash"],
    ["\\\\evil.test", "two backslashes"],
    ["/\t/evil.test", "tab the parser drops"],
    ["/%09/evil.test", "encoded tab"],
    ["/\r\n/evil.test", "CR/LF the parser drops"],
    ["/%0d%0aSet-Cookie:x=y", "encoded header injection"],
    ["/\u0000/evil.test", "NUL"],
    ["／／evil.test", "full-width solidi"],
    ["/／evil.test", "a slash and a full-width solidus"],
    ["/%EF%BC%8F%EF%BC%8Fevil.test", "encoded full-width solidi"],
    ["/．．//evil.test", "full-width full stops as a dot segment"],
    ["https://evil.test", "absolute URL"],
    ["HTTPS://evil.test/path", "absolute URL, upper-case scheme"],
    ["https://gatehouse.test@evil.test/", "userinfo that looks like this site"],
    ["//gatehouse.test@evil.test", "protocol-relative with userinfo"],
    ["/%2F@evil.test", "encoded slash before userinfo"],
    ["javascript:alert(1)", "javascript: URL"],
    ["JaVaScRiPt:alert(1)", "javascript: URL, mixed case"],
    ["evil.test", "not a path"],
    ["/100%", "malformed percent-encoding"],
    ["", "empty"],
  ])("attack: refuses %j (%s), falling back to /", (raw) => {
    expect(safeRedirect(raw, ACCESS_URL)).toBe("/");
  });

  it.each([
    ["/", "/"],
    ["/users?q=a", "/users?q=a"],
    ["/settings/account#x", "/settings/account#x"],
    ["/workspaces?filter=owner:me%20status:running", "/workspaces?filter=owner:me%20status:running"],
    ["/templates/docker%2Fv2/versions", "/templates/docker%2Fv2/versions"],
    ["/a/../b?c=d", "/b?c=d"],
    ["/users?q=josé", "/users?q=jos%C3%A9"],
    // A path that merely contains "@" stays on this site.
    ["/@evil.test", "/@evil.test"],
  ])("keeps the local path %j as %j", (raw, kept) => {
    expect(safeRedirect(raw, ACCESS_URL)).toBe(kept);
    // What it keeps passes again unchanged (it is checked on the way in and on the way out).
    expect(safeRedirect(kept, ACCESS_URL)).toBe(kept);
    expect(landing(kept).origin).toBe(ACCESS_URL);
  });

  it("is undefined-safe", () => {
    expect(safeRedirect(undefined, ACCESS_URL)).toBe("/");
  });
});

describe("the redirect after a real sign-in", () => {
  let idp: OidcProvider;
  let github: FakeGithub;
  let app: TestApp;
  beforeAll(async () => {
    [idp, github] = await Promise.all([startOidcProvider(), startFakeGithub()]);
    app = await startTestApp({ env: { ...idp.env(), ...github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }) } });
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([idp.close(), github.close()]);
  });

  it.each([
    ["OIDC", OIDC_CALLBACK],
    ["GitHub", GITHUB_CALLBACK],
  ])("attack: a planted oauth_redirect cookie /.//evil.test never yields an off-site Location (%s)", async (provider, callback) => {
    idp.next = { idToken: { sub: "cookie-tossed", email: "tossed@example.com", email_verified: true }, userInfo: {} };
    github.signIn(account({ login: "tossed-gh" }));
    const browser = new Browser(app);
    const start = await browser.get(callback);
    expect(start.status).toBe(307);
    // A sibling subdomain tossed its own cookie in after the flow started.
    browser.cookies.set("oauth_redirect", "/.//evil.test");
    const back = new URL((await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!);
    const done = await browser.get(back.pathname + back.search);
    expect(done.status, provider).toBe(307);
    const location = done.headers.get("location")!;
    expect(location).toBe("/");
    expect(landing(location).origin).toBe(ACCESS_URL);
  });

  it("attack: redirect=/.//evil.test is stored as / on the way in", async () => {
    const browser = new Browser(app);
    await browser.get(`${OIDC_CALLBACK}?redirect=${encodeURIComponent("/.//evil.test")}`);
    expect(browser.cookies.get("oauth_redirect")).toBe("/");
  });

  it("lands on a legitimate path with its query and fragment", async () => {
    idp.next = { idToken: { sub: "legit-redirect", email: "legit@example.com", email_verified: true }, userInfo: {} };
    const done = await new Browser(app).signIn(`${OIDC_CALLBACK}?redirect=${encodeURIComponent("/settings/account?tab=a#x")}`);
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/settings/account?tab=a#x");
  });
});
