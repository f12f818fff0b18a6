// The account page in Chromium, at desktop and phone width: API tokens created, copied, used against the
// API and deleted; the Git SSH key regenerated; profile, appearance, notification preferences and the
// password changed; each checked against what the API then answers.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AddedUser, addUser } from "../support/harness.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, problems, signIn, skipBrowser, startConsoleWithOwner } from "./harness.ts";

let gh: Console;

beforeAll(async () => {
  if (skipBrowser) return;
  gh = await startConsoleWithOwner();
  await gh.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gh.base });
}, 120_000);
afterAll(async () => {
  await gh?.close();
});

type Doc = { document: { activeElement: { id: string; tagName: string } | null; documentElement: { scrollWidth: number } } };
const activeId = (page: Page) => page.evaluate(() => (globalThis as unknown as Doc).document.activeElement?.id ?? "");

/** A member signed in through the page, on their account page, with a fresh tab. */
async function member(name: string, viewport: { width: number; height: number }): Promise<{ user: AddedUser; page: Page }> {
  await gh.context.clearCookies();
  const user = await addUser(gh.app, { username: name, login: true });
  const page = await gh.newPage(viewport);
  await signIn(page, gh.base, user.email, user.password);
  expect(new URL(page.url()).pathname).toBe("/");
  return { user, page };
}

const apiAs = (token: string, path: string) => gh.app.request(`/api/v2${path}`, { token });

describe.skipIf(skipBrowser).each([
  ["desktop", DESKTOP],
  ["phone", PHONE],
])("the account page at %s width", (width, viewport) => {
  it("is accessible and fits the width (no sideways scrolling)", async () => {
    const { page } = await member(`look-${width}`, viewport);
    await expectAccessible(page);
    const scroll = await page.evaluate(() => (globalThis as unknown as Doc).document.documentElement.scrollWidth);
    expect(scroll).toBeLessThanOrEqual(viewport.width);
    // The skip link is the first stop for the keyboard and moves focus to the main landmark.
    await page.keyboard.press("Tab");
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent,
      ),
    ).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await activeId(page)).toBe("main");
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it("creates a token with the keyboard, shows it once, copies it; the copy works against the API; delete ends it", async () => {
    const { user, page } = await member(`tokens-${width}`, viewport);
    await page.getByLabel("Token name").focus();
    await page.keyboard.type("deploy-bot");
    await page.getByLabel("Lifetime").selectOption({ label: "7 days" });
    await page.getByText("Scopes (optional").click();
    await page.getByLabel("user:read", { exact: true }).check();
    await page.getByLabel("Token name").press("Enter");

    const panel = page.locator("#new-token");
    await expect.poll(() => panel.isVisible()).toBe(true);
    expect(await activeId(page)).toBe("new-token");
    const shown = await page.locator("#new-token-value").innerText();
    expect(shown).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.getByRole("button", { name: "Copy token" }).click();
    await expect.poll(() => page.locator("#new-token-value-copied").innerText()).toBe("Copied to the clipboard.");
    const copied = await page.evaluate(() =>
      (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
    );
    expect(copied).toBe(shown);
    await expectAccessible(page);

    // The copied token is a working API token for this person, with the scope asked for.
    const me = await apiAs(copied, "/users/me");
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe(user.username);
    // The list was refreshed around the panel: the new token, its scope, unused so far, expiring in 7 days.
    const row = page.locator("#tokens tr", { hasText: "deploy-bot" });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain("user:read");
    const [listed] = (await (await apiAs(user.token, "/users/me/keys/tokens")).json()) as { token_name: string; expires_at: string }[];
    expect(listed!.token_name).toBe("deploy-bot");
    expect(Date.parse(listed!.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(Date.parse(listed!.expires_at) - Date.now()).toBeLessThan(7.1 * 86_400_000);

    // The same name again: the API's 409 shown by the form.
    await page.getByLabel("Token name").fill("deploy-bot");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect.poll(() => page.locator("#token-form-status").innerText()).toMatch(/already exists/i);

    // Deleting asks first; declining keeps it.
    page.once("dialog", (d) => void d.dismiss());
    await page.getByRole("button", { name: "Delete token deploy-bot" }).click();
    expect((await apiAs(copied, "/users/me")).status).toBe(200);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete token deploy-bot" }).click();
    await expect.poll(() => row.count()).toBe(0);
    // The row and its button are gone: focus is on the section's heading, the outcome announced.
    expect(await activeId(page)).toBe("tokens-h");
    expect(await page.locator("#flash").innerText()).toBe('Token "deploy-bot" deleted.');
    expect((await apiAs(copied, "/users/me")).status).toBe(401);
    // Gone from the page with a reload too: the key was only ever in that one render's DOM.
    await page.reload();
    expect(await page.content()).not.toContain(copied);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it("regenerates the Git SSH key after a confirmation; the page shows the key the API now has", async () => {
    const { user, page } = await member(`ssh-${width}`, viewport);
    const before = await page.locator("#ssh-public-key").innerText();
    expect(before).toMatch(/^ssh-ed25519 /);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Regenerate key" }).click();
    await expect.poll(() => page.locator("#ssh-public-key").innerText()).not.toBe(before);
    const { public_key } = (await (await apiAs(user.token, "/users/me/gitsshkey")).json()) as { public_key: string };
    expect((await page.locator("#ssh-public-key").innerText()).trim()).toBe(public_key.trim());
    expect(await page.locator("#ssh-form-status").innerText()).toContain("New SSH key generated");
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});

describe.skipIf(skipBrowser)("account settings", () => {
  it("saves the profile name, the theme and notification preferences, each as the API then reports it", async () => {
    const { user, page } = await member("settings-person", PHONE);
    // A member cannot rename themselves: the username is read-only, the name is theirs to change.
    expect(await page.getByLabel("Username").getAttribute("readonly")).not.toBeNull();
    await page.getByLabel("Full name").fill("Settings Person");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForLoadState("load");
    await expect.poll(() => page.locator("#flash").innerText()).toBe("Profile saved.");
    expect(await activeId(page)).toBe("flash");
    expect(await page.getByLabel("Full name").inputValue()).toBe("Settings Person");
    expect(((await (await apiAs(user.token, "/users/me")).json()) as { name: string }).name).toBe("Settings Person");

    await page.getByLabel("Dark").check();
    await page.getByRole("button", { name: "Save appearance" }).click();
    await expect.poll(() => page.locator("#flash").innerText()).toBe("Appearance saved.");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    await expectAccessible(page);

    // A member is offered only what they receive: not the notifications sent to administrators.
    expect(await page.getByLabel("User account created").count()).toBe(0);
    await page.getByLabel("Your account has been suspended").uncheck();
    await page.getByRole("button", { name: "Save preferences" }).click();
    await expect.poll(() => page.locator("#notifications-form-status").innerText()).toBe("Notification preferences saved.");
    const prefs = (await (await apiAs(user.token, "/users/me/notifications/preferences")).json()) as { id: string; disabled: boolean }[];
    expect(prefs.filter((p) => p.disabled).map((p) => p.id)).toEqual(["6a2f0609-9b69-4d36-a989-9f5925b6cbff"]);
    await page.reload();
    expect(await page.getByLabel("Your account has been suspended").isChecked()).toBe(false);
    expect(problems(page)).toEqual([]);
    await page.close();
  });

  it("changes the password: a wrong current one is refused by the field; then every session ends and the new one signs in", async () => {
    const { user, page } = await member("password-person", DESKTOP);
    await page.getByLabel("Current password").fill("not-it");
    await page.getByLabel("New password").fill("Another-Strong-Password-7");
    await expect.poll(() => page.locator("#new-password-strength").innerText()).toBe("Strong enough.");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.locator("#old-password-error").innerText()).toBe("Old password is incorrect.");
    expect(await page.getByLabel("Current password").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Current password").getAttribute("aria-describedby")).toContain("old-password-error");
    expect(await activeId(page)).toBe("old-password");

    await page.getByLabel("Current password").fill(user.password);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL(`${gh.base}/login?redirect=%2F`);
    await expect.poll(() => page.locator("#flash").innerText()).toContain("Password changed");
    expect((await apiAs(user.token, "/users/me")).status).toBe(401);
    await signIn(page, gh.base, user.email, "Another-Strong-Password-7");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(problems(page)).toEqual([]);
    await page.close();
  });
});
