// The one harness of the console's browser tests: Gatehouse on a real loopback server (the browser needs
// one) with the test database, Debian's Chromium driven by playwright-core, every request that is not to
// loopback refused and recorded, and the checks every page gets: no CSP violation, no script error, and
// axe-core with no serious or critical violation.
//
// Chromium is /usr/bin/chromium (.ci/run installs it). Outside CI a machine without it skips these files
// with a warning; in CI (CI=true) they must run.
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { createApp } from "../../src/app.ts";
import { CHROMIUM, launchLoopbackBrowser } from "../support/chromium.ts";
import { type Hook, startHook, startTestApp, type TestApp } from "../support/harness.ts";

export const skipBrowser = !existsSync(CHROMIUM) && process.env.CI !== "true";
if (skipBrowser) console.warn(`skipping the console browser tests: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

/** The phone width the console must read well at. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface Console {
  /** http://127.0.0.1:<port>, also the deployment's CODER_ACCESS_URL. */
  base: string;
  app: TestApp;
  /** The notification webhook (NOTIFICATIONS_WEBHOOK_URL): passcodes and account notifications land here. */
  hook: Hook;
  context: BrowserContext;
  /** Every non-loopback URL the browser tried, refused. */
  blocked: string[];
  /** A new tab at this viewport, watched for CSP violations and script errors (see `problems`). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

const watched = new WeakMap<Page, string[]>();

/** CSP violations, console errors and uncaught exceptions the page has had so far. */
export const problems = (page: Page): string[] => watched.get(page) ?? [];

/**
 * Starts Gatehouse and Chromium. `env` is added to the test app's environment (providers, webhook);
 * CODER_ACCESS_URL is the loopback server's own URL, so OAuth callbacks come back to it; notifications go
 * to a loopback webhook (`hook`).
 */
export async function startConsole(env: Record<string, string> = {}): Promise<Console> {
  const gatehouse = createApp();
  let app: TestApp | undefined;
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        fetch: (req) => {
          if (!app) return new Response("starting", { status: 503 });
          return gatehouse.fetch(req, { deps: app.deps, clientIp: "127.0.0.1" });
        },
        hostname: "127.0.0.1",
        port: 0,
      },
      () => resolve(s),
    );
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hook = await startHook();
  app = await startTestApp({ env: { CODER_ACCESS_URL: base, NOTIFICATIONS_WEBHOOK_URL: hook.url, ...env } });
  const browser = await startBrowser();
  const started = app;
  return {
    ...browser,
    base,
    app: started,
    hook,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await started.close();
      await hook.close();
    },
  };
}

/**
 * startConsole, then the deployment's first owner created through the API (owner@example.com, username
 * "owner", password SomeSecurePassword!, no name), as the sign-in, account and OIDC tests expect.
 */
export async function startConsoleWithOwner(env: Record<string, string> = {}): Promise<Console> {
  const gh = await startConsole(env);
  await gh.app.request("/api/v2/users/first", {
    method: "POST",
    json: { email: "owner@example.com", username: "owner", password: "SomeSecurePassword!" },
  });
  return gh;
}

const AXE_SOURCE = readFileSync(join(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (injected through the DevTools protocol, so the page's CSP is untouched and the
 * file is never served) and fails on any serious or critical violation, naming the rule and the elements.
 * Answers every violation found, for the report.
 */
export async function expectAccessible(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(grave.map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
  return violations;
}

/** Signs in through the sign-in form, as a person does, and waits for the page it leads to. */
export async function signIn(page: Page, base: string, email: string, password: string, redirect?: string): Promise<void> {
  await page.goto(`${base}/login${redirect ? `?redirect=${encodeURIComponent(redirect)}` : ""}`);
  await page.getByLabel("Email", { exact: true }).first().fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/login"),
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}

/** Chromium alone, for a Gatehouse this file did not start (the Worker under wrangler dev): same flags, same loopback-only rule, same watched pages. */
export async function startBrowser(): Promise<Omit<Console, "base" | "app" | "hook">> {
  const browser = await launchLoopbackBrowser();
  return {
    ...browser,
    async newPage(viewport = DESKTOP) {
      const { context } = browser;
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      const seen: string[] = [];
      watched.set(page, seen);
      page.on("console", (msg) => {
        if (/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) return;
        if (/Content Security Policy/i.test(msg.text()) || msg.type() === "error") seen.push(msg.text());
      });
      page.on("pageerror", (err) => void seen.push(err.message));
      return page;
    },
  };
}
