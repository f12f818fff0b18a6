// Signing in with OpenID Connect in Chromium, against the loopback provider: the button from
// GET /users/authmethods with its configured text, the provider's redirect back, and the account page.
// The provider's icon is on another origin, so the page must not even ask for it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OidcProvider, startOidcProvider } from "../support/oidc-provider.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, problems, skipBrowser, startConsoleWithOwner } from "./harness.ts";

let gh: Console;
let idp: OidcProvider;

beforeAll(async () => {
  if (skipBrowser) return;
  idp = await startOidcProvider();
  gh = await startConsoleWithOwner(idp.env({ CODER_OIDC_SIGN_IN_TEXT: "Acme SSO", CODER_OIDC_ICON_URL: "https://icons.example/acme.svg" }));
}, 120_000);
afterAll(async () => {
  await gh?.close();
  await idp?.close();
});

describe.skipIf(skipBrowser).each([
  ["desktop", DESKTOP, "/", "/"],
  ["phone", PHONE, "/?from=sso", "/?from=sso"],
])("OIDC sign-in at %s width", (width, viewport, redirect, landing) => {
  it("the provider's button signs a new person in and lands on their account page", async () => {
    await gh.context.clearCookies();
    idp.next = {
      idToken: { sub: `sso-${width}`, email: `sso-${width}@example.com`, email_verified: true, preferred_username: `sso-${width}` },
      userInfo: {},
    };
    const page = await gh.newPage(viewport);
    await page.goto(`${gh.base}/login?redirect=${encodeURIComponent(redirect)}`);
    const button = page.getByRole("link", { name: "Sign in with Acme SSO" });
    expect(await button.count()).toBe(1);
    await expectAccessible(page);
    await Promise.all([page.waitForURL((url) => url.origin === gh.base && url.pathname === "/"), button.click()]);
    const url = new URL(page.url());
    expect(url.pathname + url.search).toBe(landing);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Account");
    expect(await page.locator("header").innerText()).toContain(`sso-${width}`);
    expect(await page.getByLabel("Email").inputValue()).toBe(`sso-${width}@example.com`);
    // An OIDC account has no password here to change.
    expect(await page.locator("#password").count()).toBe(0);
    await expectAccessible(page);
    // Only loopback was ever asked for: the icon on another origin was not.
    expect(gh.blocked).toEqual([]);
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});

describe.skipIf(skipBrowser)("a refused OIDC sign-in", () => {
  it("lands on the sign-in page with the API's message, not on a JSON body", async () => {
    await gh.context.clearCookies();
    idp.next = {
      idToken: { sub: "sso-unverified", email: "unverified@example.com", email_verified: false, preferred_username: "unverified" },
      userInfo: {},
    };
    const page = await gh.newPage(DESKTOP);
    await page.goto(`${gh.base}/login`);
    await Promise.all([
      page.waitForURL((url) => url.origin === gh.base && url.pathname === "/login" && url.searchParams.has("message")),
      page.getByRole("link", { name: "Sign in with Acme SSO" }).click(),
    ]);
    const alert = page.locator("#login-message");
    await expect
      .poll(() => alert.innerText())
      .toBe('Verify the "unverified@example.com" email address on your OIDC provider to authenticate!');
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Sign in to Gatehouse");
    await expectAccessible(page);
    expect(problems(page).filter((p) => !p.includes("403"))).toEqual([]);
    await page.close();
  });
});
