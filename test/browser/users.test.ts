// /users in Chromium, as an owner at desktop and at phone width: search, create, suspend, activate, edit
// roles, reset a password and delete a user (both confirmed in the dialog, which is also cancelled once
// with Escape), each checked in the database through the API; and a member, who sees no link and is
// refused the page. axe runs on every page and on the open dialog.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addUser, OWNER, withOwner } from "../support/harness.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, problems, signIn, skipBrowser, startConsole } from "./harness.ts";

let gh: Console;
let ownerToken: string;

beforeAll(async () => {
  if (skipBrowser) return;
  gh = await startConsole();
  ownerToken = (await withOwner(gh.app)).token;
}, 120_000);
afterAll(async () => {
  await gh?.close();
});
// Each test signs in as its own person: a failed test's session must not carry into the next.
beforeEach(async () => {
  await gh?.context.clearCookies();
});

/** GET /api/v2/users/{name} as the owner: the database's view of what the page did. */
async function apiUser(name: string) {
  const res = await gh.app.request(`/api/v2/users/${name}`, { token: ownerToken });
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as { status: string; roles: { name: string }[] }) : undefined,
  };
}

const flash = (page: Page) => page.locator("#flash");
const focused = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent,
  );

async function ownerFlow(viewport: { width: number; height: number }, tag: string) {
  const page = await gh.newPage(viewport);
  const found = await addUser(gh.app, { username: `carol-${tag}`, roles: ["auditor"] });
  await signIn(page, gh.base, OWNER.email, OWNER.password, "/users");
  expect(new URL(page.url()).pathname).toBe("/users");
  await expectAccessible(page);

  // Search: the q language, passed to the API.
  await page.getByLabel("Search users").fill(`${found.username} role:auditor`);
  await Promise.all([page.waitForURL(/\/users\?q=/), page.getByLabel("Search users").press("Enter")]);
  expect(await page.locator("#users-h").innerText()).toBe("1 found");
  await expect.poll(() => page.getByRole("link", { name: found.username }).count()).toBe(1);
  // A bad query: the API's message, on the page.
  await page.getByLabel("Search users").fill("status:sleeping");
  await Promise.all([page.waitForURL(/q=status/), page.getByRole("button", { name: "Search" }).click()]);
  expect(await page.getByRole("alert").innerText()).toContain("Invalid user search query.");
  await expectAccessible(page);

  // Create.
  const name = `dave-${tag}`;
  await page.getByText("Create a user").click();
  await page.getByLabel("Email", { exact: true }).fill(`${name}@example.com`);
  await page.getByLabel("Username", { exact: true }).fill(name);
  await page.getByLabel("Password", { exact: true }).fill("Dave-Strong-Passw0rd!");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect.poll(() => flash(page).innerText()).toBe("User created.");
  expect((await apiUser(name)).status).toBe(200);

  // Open the new user's page from the list.
  await page.goto(`${gh.base}/users?q=${name}`);
  await Promise.all([page.waitForURL(`${gh.base}/users/${name}`), page.getByRole("link", { name }).click()]);
  await expectAccessible(page);

  // Suspend, then activate.
  await page.getByRole("button", { name: `Suspend ${name}` }).click();
  await expect.poll(() => flash(page).innerText()).toBe(`${name} is suspended.`);
  expect((await apiUser(name)).body?.status).toBe("suspended");
  await page.getByRole("button", { name: `Activate ${name}` }).click();
  await expect.poll(() => flash(page).innerText()).toBe(`${name} is active again.`);
  expect((await apiUser(name)).body?.status).toBe("active");

  // Roles: the picker, every role assignable by an owner.
  await page.getByRole("checkbox", { name: "Auditor" }).check();
  await page.getByRole("checkbox", { name: "User Admin" }).check();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect.poll(() => flash(page).innerText()).toBe("Roles saved.");
  expect((await apiUser(name)).body?.roles.map((r) => r.name).sort()).toEqual(["auditor", "user-admin"]);
  expect(await page.getByRole("checkbox", { name: "Auditor" }).isChecked()).toBe(true);

  // Reset the password: cancelled with Escape first (nothing sent), then confirmed.
  const newPassword = "Dave-Reset-Passw0rd!";
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Reset password" }).click();
  const dialog = page.getByRole("dialog");
  await expect.poll(() => dialog.isVisible()).toBe(true);
  expect(await dialog.innerText()).toContain(`Set a new password for ${name}?`);
  expect(await focused(page)).toBe("Cancel");
  await expectAccessible(page);
  await page.keyboard.press("Escape");
  await expect.poll(() => dialog.isVisible()).toBe(false);
  expect(await focused(page)).toBe("Reset password");
  const login = (password: string) =>
    gh.app.request("/api/v2/users/login", { method: "POST", json: { email: `${name}@example.com`, password } });
  expect((await login(newPassword)).status).toBe(401);
  await page.getByRole("button", { name: "Reset password" }).click();
  await dialog.getByRole("button", { name: "Reset password" }).click();
  await expect.poll(() => page.locator("#reset-password-form-status").innerText()).toContain("Password changed");
  expect((await login(newPassword)).status).toBe(201);

  // Delete, confirmed with the keyboard alone.
  await page.getByRole("button", { name: `Delete ${name}` }).focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe(`Delete ${name}`);
  await Promise.all([page.waitForURL(`${gh.base}/users`), page.keyboard.press("Enter")]);
  await expect.poll(() => flash(page).innerText()).toBe(`User ${name} deleted.`);
  expect((await apiUser(name)).status).toBe(404);
  await expectAccessible(page);

  expect(problems(page)).toEqual([]);
  expect(gh.blocked).toEqual([]);
  await page.context().clearCookies();
  await page.close();
}

describe.skipIf(skipBrowser)("/users in Chromium", () => {
  it(
    "an owner searches, creates, suspends, activates, edits roles, resets a password and deletes (desktop)",
    () => ownerFlow(DESKTOP, "desk"),
    60_000,
  );

  it("the same at phone width", () => ownerFlow(PHONE, "phone"), 60_000);

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`a member sees no Users link and is refused /users (${label})`, async () => {
      const member = await addUser(gh.app, { username: `member-${label}` });
      const page = await gh.newPage(viewport);
      await signIn(page, gh.base, member.email, member.password);
      expect(new URL(page.url()).pathname).toBe("/");
      const nav = page.getByRole("navigation", { name: "Console" });
      expect(await nav.getByRole("link").allInnerTexts()).toEqual(["Account"]);
      const res = await page.goto(`${gh.base}/users`);
      expect(res?.status()).toBe(403);
      expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Not allowed");
      expect(await page.locator("form[data-api-path]").count()).toBe(1); // sign out, nothing else
      await expectAccessible(page);
      expect(problems(page)).toEqual([]);
      await page.context().clearCookies();
      await page.close();
    });
  }
});
