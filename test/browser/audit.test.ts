// /audit in Chromium, as an auditor at desktop and phone width: the Audit link (and no Users link), the
// search box's q narrowing the log, a bad term answered with the API's message, and a row's
// diff expanded with its secret shown only as "secret". axe on every state.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addUser, withOwner } from "../support/harness.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, problems, signIn, skipBrowser, startConsole } from "./harness.ts";

let gh: Console;
const SECRET = "Eve-Audited-Passw0rd!";

beforeAll(async () => {
  if (skipBrowser) return;
  gh = await startConsole();
  const { token, organizationId } = await withOwner(gh.app);
  // An audited creation whose body held a password: the log records that it was sent, never its value.
  const res = await gh.app.request("/api/v2/users", {
    method: "POST",
    token,
    json: { email: "eve@example.com", username: "eve", password: SECRET, organization_ids: [organizationId] },
  });
  if (res.status !== 201) throw new Error(`POST /users: ${res.status} ${await res.text()}`);
}, 120_000);
afterAll(async () => {
  await gh?.close();
});
// Each test signs in as its own person: a failed test's session must not carry into the next.
beforeEach(async () => {
  await gh?.context.clearCookies();
});

describe.skipIf(skipBrowser)("/audit in Chromium", () => {
  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`an auditor filters the log and reads a diff (${label})`, async () => {
      const auditor = await addUser(gh.app, { username: `auditor-${label}`, roles: ["auditor"] });
      const page = await gh.newPage(viewport);
      await signIn(page, gh.base, auditor.email, auditor.password);
      const nav = page.getByRole("navigation", { name: "Console" });
      expect(await nav.getByRole("link").allInnerTexts()).toEqual(["Account", "Audit"]);
      await Promise.all([page.waitForURL(`${gh.base}/audit`), nav.getByRole("link", { name: "Audit" }).click()]);
      await expectAccessible(page);

      // A filter in the q language: the user creations only.
      await page.getByLabel("Search the audit log").fill("action:create resource_type:user");
      await Promise.all([page.waitForURL(/q=action/), page.getByLabel("Search the audit log").press("Enter")]);
      const actions = await page.locator('td[data-label="Action"]').allInnerTexts();
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set(["create"]));
      const row = page.locator("tr", { hasText: "eve" });
      expect(await row.locator('td[data-label="Actor"]').innerText()).toBe("owner");
      expect(await row.locator('td[data-label="Status"]').innerText()).toBe("201");
      // The diff, opened with the keyboard.
      await row.locator("summary").focus();
      await page.keyboard.press("Enter");
      const diff = row.locator("dl.diff");
      await expect.poll(() => diff.isVisible()).toBe(true);
      expect(await diff.innerText()).toMatch(/username\s+— → eve/);
      expect(await diff.innerText()).toMatch(/password\s+secret/);
      expect(await page.content()).not.toContain(SECRET);
      await expectAccessible(page);

      // The search box adds its own terms to the filters; a bad one shows the API's message.
      await page.getByLabel("Search the audit log").fill("username:nobody");
      await Promise.all([page.waitForURL(/q=username/), page.getByRole("button", { name: "Search" }).click()]);
      expect(await page.locator("#audit-h").innerText()).toBe("0 found");
      await page.getByLabel("Search the audit log").fill("colour:blue");
      await Promise.all([page.waitForURL(/q=colour/), page.getByRole("button", { name: "Search" }).click()]);
      const alert = await page.getByRole("alert").innerText();
      expect(alert).toContain("Invalid audit search query.");
      expect(alert).toContain('Query param "colour" is not a valid query param');
      await expectAccessible(page);

      // An auditor does not administer users.
      expect((await page.goto(`${gh.base}/users`))?.status()).toBe(403);
      expect(problems(page)).toEqual([]);
      expect(gh.blocked).toEqual([]);
      await page.context().clearCookies();
      await page.close();
    });
  }
});
