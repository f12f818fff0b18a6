// The console once against the Worker: the real `npm run dev` (wrangler dev, workerd, PGlite behind the
// loopback Neon proxy) started in a process group of its own and stopped by that group's id, as
// test/node/ops/dev-concurrency.test.ts does. Setup of the first owner, sign-out and sign-in, a token
// created on the account page, the /users list; the pages' hashed script and stylesheet come from the
// ASSETS binding, and the pages run them (no CSP violation, no script error).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetPath } from "../../src/pages/assets.ts";
import { type DevServer, startDevServer } from "../support/dev-server.ts";
import { expectAccessible, PHONE, problems, skipBrowser, startBrowser } from "./harness.ts";

const OWNER = { email: "worker-owner@example.com", username: "worker-owner", password: "Worker-Strong-Passw0rd!" };

let dev: DevServer | undefined;
let base: string;
let browser: Awaited<ReturnType<typeof startBrowser>> | undefined;

beforeAll(async () => {
  if (skipBrowser) return;
  [dev, browser] = await Promise.all([startDevServer(), startBrowser()]);
  base = dev.base;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
}, 20_000);

describe.skipIf(skipBrowser)("the console on the Worker (npm run dev)", () => {
  it("serves the hashed assets through the ASSETS binding", async () => {
    for (const file of ["console.js", "console.css"] as const) {
      const res = await fetch(`${base}${assetPath(file)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-type")).toMatch(file.endsWith(".js") ? /javascript/ : /text\/css/);
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
  });

  it("sets up the first owner, signs out and in, creates a token and lists users", async () => {
    const page = await browser!.newPage(PHONE);
    const assets: number[] = [];
    page.on("response", (res) => {
      if (new URL(res.url()).pathname.startsWith("/assets/")) assets.push(res.status());
    });
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Username").fill(OWNER.username);
    await page.getByLabel("Password").fill(OWNER.password);
    await Promise.all([page.waitForURL(`${base}/`), page.getByRole("button", { name: "Create owner account" }).click()]);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Account");

    await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "Sign out" }).click()]);
    await page.getByLabel("Email", { exact: true }).first().fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await Promise.all([page.waitForURL(`${base}/`), page.getByRole("button", { name: "Sign in", exact: true }).click()]);

    await page.getByLabel("Token name").fill("worker-token");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect.poll(() => page.locator("#new-token").isVisible()).toBe(true);
    const token = await page.locator("#new-token-value").innerText();
    const me = await fetch(`${base}/api/v2/users/me`, { headers: { "Coder-Session-Token": token } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe(OWNER.username);

    await Promise.all([page.waitForURL(`${base}/users`), page.getByRole("link", { name: "Users" }).click()]);
    expect(await page.locator("#users-h").innerText()).toBe("1 found");
    expect(await page.getByRole("link", { name: OWNER.username }).count()).toBe(1);
    await expectAccessible(page);

    expect(assets.length).toBeGreaterThan(0);
    expect(assets.every((s) => s === 200 || s === 304)).toBe(true);
    expect(problems(page)).toEqual([]);
    expect(browser!.blocked).toEqual([]);
    await page.close();
  }, 45_000);
});
