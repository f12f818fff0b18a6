// `npm run screenshots`: every console page at desktop (1280 px) and phone (390 px) width, saved under
// docs/screenshots/ for the README, on a deployment with a few users and audit entries. It rewrites
// committed files, so it runs only when asked (SCREENSHOTS=1, which the npm script sets), not in `npm test`.
// Each page is also checked with axe as it is shot, and every violation of any impact is printed.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { addUser, OWNER, withOwner } from "../support/harness.ts";
import { type Console, DESKTOP, expectAccessible, PHONE, signIn, skipBrowser, startConsole } from "./harness.ts";

const OUT = join(import.meta.dirname, "../../docs/screenshots");
const run = process.env.SCREENSHOTS === "1" && !skipBrowser;

let gh: Console;

beforeAll(async () => {
  if (!run) return;
  mkdirSync(OUT, { recursive: true });
  gh = await startConsole();
}, 120_000);
afterAll(async () => {
  await gh?.close();
});

const WIDTHS = [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const;

async function shoot(name: string, path: string, prepare?: (page: Page) => Promise<void>, signedIn = true) {
  for (const [label, viewport] of WIDTHS) {
    const page = await gh.newPage(viewport);
    if (signedIn) await signIn(page, gh.base, OWNER.email, OWNER.password, path);
    else await page.goto(`${gh.base}${path}`);
    await prepare?.(page);
    const violations = await expectAccessible(page);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    console.log(`axe ${name} ${label}: ${violations.length ? violations.map((v) => `${v.impact} ${v.id}`).join(", ") : "no violations"}`);
    await page.screenshot({ path: join(OUT, `${name}-${label}.png`) });
    await page.context().clearCookies();
    await page.close();
  }
}

describe.skipIf(!run)("screenshots", () => {
  it("shoots every page", async () => {
    await shoot("setup", "/setup", async (page) => void (await page.getByLabel("Email").fill("you@example.com")), false);
    const { token, organizationId } = await withOwner(gh.app);
    await addUser(gh.app, { username: "ada", email: "ada@example.com", roles: ["user-admin"] });
    await addUser(gh.app, { username: "grace", email: "grace@example.com", roles: ["auditor"] });
    await addUser(gh.app, { username: "linus", email: "linus@example.com", status: "suspended" });
    await addUser(gh.app, { username: "margaret", email: "margaret@example.com", status: "dormant" });
    await gh.app.request("/api/v2/users", {
      method: "POST",
      token,
      json: {
        email: "ken@example.com",
        username: "ken",
        name: "Ken T",
        password: "Ken-Strong-Passw0rd!",
        organization_ids: [organizationId],
      },
    });
    await gh.app.request("/api/v2/users/me/keys/tokens", { method: "POST", token, json: { token_name: "ci-deploy" } });
    await gh.app.request("/api/v2/users/login", { method: "POST", json: { email: "ada@example.com", password: "wrong-password" } });

    await shoot("login", "/login", undefined, false);
    await shoot("account", "/");
    await shoot("users", "/users", async (page) => void (await page.getByText("Create a user").click()));
    await shoot("user", "/users/ken");
    await shoot("audit", "/audit", async (page) => {
      const created = page.locator('td[data-label="Target"]', { hasText: /^user ken$/ });
      await page.locator("tr", { has: created }).locator("summary").click();
    });
  }, 120_000);
});
