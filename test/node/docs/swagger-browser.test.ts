// The docs page in a real browser, with every request to anything but loopback blocked and recorded: the
// page must render the API's operations from what Gatehouse serves, and nothing may leave 127.0.0.1.
// Chromium is Debian's (/usr/bin/chromium, installed by .ci/run), driven by playwright-core. Outside CI a
// machine without it skips this file; in CI (CI=true) it must run.
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import { DOCS_CONTENT_SECURITY_POLICY } from "../../../src/http/headers.ts";
import { CHROMIUM, launchLoopbackBrowser, type LoopbackBrowser } from "../../support/chromium.ts";
import { startTestApp, type TestApp } from "../../support/harness.ts";

const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";
if (skip) console.warn(`skipping the docs page browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

let app: TestApp;
let server: ServerType | undefined;
let base = "";
let browser: LoopbackBrowser | undefined;
let context: BrowserContext | undefined;
/** Every URL the browser asked for. */
const requested: string[] = [];
/** Those it was refused (not loopback). */
const blocked = () => browser?.blocked ?? [];

beforeAll(async () => {
  if (skip) return;
  app = await startTestApp();
  const gatehouse = createApp();
  // A real listening server (the browser needs one), on loopback, on a port of the kernel's choosing.
  server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      { fetch: (req) => gatehouse.fetch(req, { deps: app.deps, clientIp: "127.0.0.1" }), hostname: "127.0.0.1", port: 0 },
      () => resolve(s),
    );
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchLoopbackBrowser();
  context = browser.context;
  context.on("request", (req) => void requested.push(req.url()));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await app?.close();
});

describe.skipIf(skip)("the docs page in Chromium, offline", () => {
  it("attack: /swagger renders the API's operations with no request leaving loopback and no CSP violation", async () => {
    const page = await context!.newPage();
    const violations: string[] = [];
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
      else if (msg.type() === "error") errors.push(msg.text());
    });
    page.on("pageerror", (err) => void errors.push(err.message));

    const res = await page.goto(`${base}/swagger`, { waitUntil: "load" });
    expect(res?.status()).toBe(200);
    // The page's own scripts and stylesheets have loaded by now: none may have come from elsewhere.
    expect(blocked()).toEqual([]);

    // Rendered from the OpenAPI document: an operation's path and summary.
    const login = page.locator(".opblock-summary", { has: page.locator('[data-path="/api/v2/users/login"]') });
    await expect.poll(() => login.count(), { timeout: 30_000 }).toBe(1);
    expect(await login.innerText()).toContain("Log in user");
    expect(await page.locator(".opblock").count()).toBeGreaterThan(20);

    expect(blocked()).toEqual([]);
    expect(res?.headers()["content-security-policy"]).toBe(DOCS_CONTENT_SECURITY_POLICY);
    const offLoopback = requested.filter((url) => /^https?:/.test(url) && new URL(url).hostname !== "127.0.0.1");
    expect(offLoopback).toEqual([]);
    // It was all Gatehouse's: the page, its files, the document.
    expect(requested.map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining(["/swagger", "/swagger/init.js", "/api/v2/openapi.json"]),
    );
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
