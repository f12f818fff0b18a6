// The console on the real worker: its hashed files come from the Workers static assets (build/assets,
// assembled by scripts/console-assets.ts) through the ASSETS binding, and its pages render in workerd
// with their CSP, reading through the API in-process as on Node.
import { describe, expect, it } from "vitest";
import { PAGES_CONTENT_SECURITY_POLICY } from "../../src/http/headers.ts";
import { ASSET_MANIFEST } from "../../src/pages/asset-manifest.ts";
import { workerClient } from "./client.ts";

const call = workerClient();

describe("the console on workers", () => {
  it.each(Object.entries(ASSET_MANIFEST))("serves %s as %s from the static assets, immutable for a year", async (file, hashed) => {
    const res = await call(`/assets/${hashed}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(file.endsWith(".css") ? /^text\/css/ : /javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await res.text()).length).toBeGreaterThan(1000);
  });

  it("reaches no file by another name: unhashed, at the assets root, or test-only", async () => {
    for (const path of ["/assets/console.css", "/console.js", `/${ASSET_MANIFEST["console.js"]}`, "/assets/axe.min.js"]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ message: "Route not found." });
    }
  });

  it("renders the signed-out pages with their CSP, sending people where the deployment's state says", async () => {
    // The shared database may or may not have its first user yet, depending on which file ran first.
    const hasOwner = (await call("/api/v2/users/first")).status === 200;
    const entry = hasOwner ? "/login" : "/setup";
    const account = await call("/");
    expect(account.status).toBe(303);
    expect(account.headers.get("location")).toBe(hasOwner ? "/login?redirect=%2F" : "/setup");
    const res = await call(entry);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(PAGES_CONTENT_SECURITY_POLICY);
    expect(await res.text()).toContain(`/assets/${ASSET_MANIFEST["console.js"]}`);
  });
});
