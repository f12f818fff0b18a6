// Debian's Chromium driven by playwright-core, as every browser test here starts it: headless, sandbox off
// (root in CI), nothing of its own on the network, and a fresh profile. Every request that is not to
// loopback is refused and recorded, so a page that reaches for another origin is caught, not served.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Installed by .ci/run from Debian's packages (Playwright's own browser download cannot work here). */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export interface LoopbackBrowser {
  context: BrowserContext;
  /** Every non-loopback URL the browser tried, refused. */
  blocked: string[];
  close(): Promise<void>;
}

export async function launchLoopbackBrowser(): Promise<LoopbackBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "gatehouse-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  return {
    context,
    blocked,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
