// Signing in and out in Chromium, at desktop and phone width: the password form with Coder's messages, the
// `redirect` parameter, sign-out, and a forgotten password reset end to end with the passcode the
// notification webhook received.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser } from "../support/harness.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, problems, signIn, skipBrowser, startConsoleWithOwner } from "./harness.ts";

let gh: Console;

beforeAll(async () => {
  if (skipBrowser) return;
  gh = await startConsoleWithOwner();
}, 120_000);
afterAll(async () => {
  await gh?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;

/** The passcode in the newest delivery to the webhook, wherever the payload nests it. */
function passcodeIn(value: unknown): string | undefined {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "passcode" && typeof v === "string") return v;
      const inner = passcodeIn(v);
      if (inner) return inner;
    }
  }
  return undefined;
}

describe.skipIf(skipBrowser).each([
  ["desktop", DESKTOP],
  ["phone", PHONE],
])("sign-in at %s width", (width, viewport) => {
  it("a wrong password shows Coder's message by the form, announced, with focus on it", async () => {
    const user = await addUser(gh.app, { username: `wrong-${width}` });
    const page = await gh.newPage(viewport);
    await page.goto(`${gh.base}/login`);
    await expectAccessible(page);
    await page.getByLabel("Email", { exact: true }).first().fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const alert = page.locator("#login-form-status");
    await expect.poll(() => alert.innerText()).toBe("Incorrect email or password.");
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id),
    ).toBe("login-form-status");
    expect(pathOf(page)).toBe("/login");
    expect((await gh.context.cookies()).some((c) => c.name === "coder_session_token")).toBe(false);
    await expectAccessible(page);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it("signs in (honouring the redirect parameter), then signs out with the header button", async () => {
    const user = await addUser(gh.app, { username: `person-${width}` });
    const page = await gh.newPage(viewport);
    // A page that needs a session sends the visitor to sign in, with the way back.
    await page.goto(`${gh.base}/`);
    expect(pathOf(page)).toBe("/login?redirect=%2F");
    await signIn(page, gh.base, user.email, user.password, "/?after=login");
    expect(pathOf(page)).toBe("/?after=login");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Account");
    expect(await page.locator("header").innerText()).toContain(user.username);

    await Promise.all([page.waitForURL(`${gh.base}/login`), page.getByRole("button", { name: "Sign out" }).click()]);
    expect((await gh.context.cookies()).some((c) => c.name === "coder_session_token" && c.value !== "")).toBe(false);
    await page.goto(`${gh.base}/`);
    expect(pathOf(page)).toBe("/login?redirect=%2F");
    expect(problems(page)).toEqual([]);
    expect(gh.blocked).toEqual([]);
    await page.close();
  });

  it("an off-site redirect parameter lands on the account page instead", async () => {
    const user = await addUser(gh.app, { username: `redirected-${width}` });
    const page = await gh.newPage(viewport);
    await signIn(page, gh.base, user.email, user.password, "https://evil.test/");
    expect(pathOf(page)).toBe("/");
    expect(gh.blocked).toEqual([]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${gh.base}/login`);
    await page.close();
  });

  it("resets a forgotten password with the one-time passcode from the notification, then signs in with it", async () => {
    const user = await addUser(gh.app, { username: `forgetful-${width}` });
    const page = await gh.newPage(viewport);
    await page.goto(`${gh.base}/login`);
    await page.getByText("Forgot your password?").click();
    await page.locator("#otp-request-email").fill(user.email);
    const before = gh.hook.received.length;
    await page.getByRole("button", { name: "Send passcode" }).click();
    await expect.poll(() => page.locator("#otp-request-status").innerText()).toContain("one-time passcode is on its way");
    // The next step is shown, its email filled in, focus on the passcode.
    expect(await page.locator("#otp-email").inputValue()).toBe(user.email);
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id))
      .toBe("otp-code");
    await gh.app.settle();
    await expect.poll(() => gh.hook.received.length).toBeGreaterThan(before);
    const passcode = passcodeIn(gh.hook.received.at(-1)!.json);
    expect(passcode).toBeTruthy();

    // A wrong passcode first: Coder's answer next to the form, the password unchanged.
    await page.locator("#otp-code").fill("00000000-0000-0000-0000-000000000000");
    await page.locator("#otp-password").fill("A-Brand-New-Password-42");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#otp-change-form-status").innerText()).not.toBe("");
    expect(await page.locator("#otp-change-form-status").getAttribute("role")).toBe("alert");

    await page.locator("#otp-code").fill(passcode!);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#otp-change-form-status").innerText()).toBe("Password changed. Sign in with the new password.");
    await expectAccessible(page);

    await signIn(page, gh.base, user.email, "A-Brand-New-Password-42");
    expect(pathOf(page)).toBe("/");
    expect(problems(page)).toEqual([]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${gh.base}/login`);
    await page.close();
  });
});
