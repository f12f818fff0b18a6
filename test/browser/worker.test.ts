// The console once against the Worker: the real `npm run dev` (wrangler dev, workerd, PGlite behind the
// loopback Neon proxy) started in a process group of its own and stopped by that group's id, as
// test/node/ops/dev-concurrency.test.ts does. Setup of the first owner, sign-out and sign-in, a token
// created on the account page, the /users list; the pages' hashed script and stylesheet come from the
// ASSETS binding, and the pages run them (no CSP violation, no script error).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetPath } from "../../src/pages/assets.ts";
import { freePort } from "../support/server-process.ts";
import { expectAccessible, PHONE, problems, skipBrowser, startBrowser } from "./harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OWNER = { email: "worker-owner@example.com", username: "worker-owner", password: "Worker-Strong-Passw0rd!" };

let child: ChildProcess | undefined;
let exited: Promise<unknown>;
let base: string;
let dataDir: string;
let browser: Awaited<ReturnType<typeof startBrowser>> | undefined;
const output: string[] = [];

async function stopGroup(): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  // npm, the dev script and wrangler share the group: stop them all, by the group's id.
  process.kill(-child.pid!, "SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) process.kill(-child.pid!, "SIGKILL");
}

beforeAll(async () => {
  if (skipBrowser) return;
  dataDir = mkdtempSync(join(tmpdir(), "gatehouse-dev-console-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn("npm", ["run", "dev"], {
    detached: true,
    env: { ...process.env, DATA_DIR: join(dataDir, "data"), DEV_PORT: String(port), WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((resolve) => child!.once("exit", resolve));
  for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  browser = await startBrowser();
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`npm run dev did not come up:\n${output.join("")}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopGroup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
