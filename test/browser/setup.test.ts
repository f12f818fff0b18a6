// The first visit to a new deployment: /setup creates the owner (with live password feedback), signs them
// in, and is gone once a user exists.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Console, expectAccessible, PHONE, problems, skipBrowser, startConsole } from "./harness.ts";

let gh: Console;

beforeAll(async () => {
  if (!skipBrowser) gh = await startConsole();
}, 120_000);
afterAll(async () => {
  await gh?.close();
});

const OWNER = { email: "first@example.com", username: "first-owner", password: "Correct-Horse-Battery-9" };

async function fillSetup(page: Page, password: string) {
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Username").fill(OWNER.username);
  await page.getByLabel("Full name (optional)").fill("First Owner");
  await page.getByLabel("Password").fill(password);
}

describe.skipIf(skipBrowser)("setup in Chromium", () => {
  it("sends a signed-out visitor of a new deployment from / and /login to /setup", async () => {
    const page = await gh.newPage(PHONE);
    await page.goto(`${gh.base}/`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.goto(`${gh.base}/login`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.close();
  });

  it("creates the first owner at phone width: weak password explained, then signed in on the account page", async () => {
    const page = await gh.newPage(PHONE);
    await page.goto(`${gh.base}/setup`);
    await expectAccessible(page);
    // Live feedback from POST /users/validate-password as the person types.
    await fillSetup(page, "short");
    await expect.poll(() => page.locator("#setup-password-strength").innerText()).toMatch(/insecure password/i);
    await page.getByLabel("Password").fill(OWNER.password);
    await expect.poll(() => page.locator("#setup-password-strength").innerText()).toBe("Strong enough.");
    // A bad username: the API's validation shown next to the field, announced, focused.
    await page.getByLabel("Username").fill("not a username!");
    await page.getByRole("button", { name: "Create owner account" }).click();
    const usernameError = page.locator("#setup-username-error");
    await expect.poll(() => usernameError.innerText()).not.toBe("");
    expect(await page.locator("#setup-form-status").innerText()).toContain("Validation failed");
    expect(await page.getByLabel("Username").getAttribute("aria-invalid")).toBe("true");
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id),
    ).toBe("setup-username");
    await expectAccessible(page);

    await page.getByLabel("Username").fill(OWNER.username);
    await Promise.all([page.waitForURL(`${gh.base}/`), page.getByRole("button", { name: "Create owner account" }).click()]);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toContain("Account");
    await expectAccessible(page);
    expect(problems(page)).toEqual([]);
    expect(gh.blocked).toEqual([]);
    await page.close();
  });

  it("is gone once the owner exists: /setup redirects to sign in", async () => {
    const page = await gh.newPage();
    await page.context().clearCookies();
    await page.goto(`${gh.base}/setup`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });
});
