// The docs page over HTTP (no browser): what it is made of and the headers that hold it to this origin.
// test/node/docs/swagger-browser.test.ts loads it in Chromium.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SWAGGER_UI_VERSION } from "../../../src/docs/vendor.ts";
import { useTestApp } from "../../support/harness.ts";

const packageDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const VENDOR = `/swagger/${SWAGGER_UI_VERSION}`;

const { app } = useTestApp();

describe("GET /swagger", () => {
  it("attack: the page names no script, stylesheet or other resource on another origin, and runs no inline script", async () => {
    const res = await app.request("/swagger");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    // Every src and href is a path on this site (or the empty data: icon).
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls).toEqual(["data:,", `${VENDOR.slice(1)}/swagger-ui.css`, `${VENDOR.slice(1)}/swagger-ui-bundle.js`, "swagger/init.js"]);
    // Every <script> has a src and no body.
    expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1])).toEqual(["", ""]);
  });

  it("carries a Content-Security-Policy that allows no other origin, no inline script and no eval", async () => {
    const res = await app.request("/swagger");
    const csp = res.headers.get("content-security-policy")!;
    const directives = Object.fromEntries(
      csp
        .split(";")
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "font-src": ["'self'"],
      "connect-src": ["'self'"],
      "form-action": ["'self'"],
      "base-uri": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
    // The usual security headers are still there.
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("the Swagger UI files", () => {
  it.each([
    ["swagger-ui-bundle.js", /^text\/javascript|^application\/javascript/],
    ["swagger-ui.css", /^text\/css/],
  ])("%s is the pinned package's file, cached for a year under a versioned URL", async (file, type) => {
    const res = await app.request(`${VENDOR}/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(packageDir, file)))).toBe(true);
  });

  it("the version in the URL is the one package.json pins exactly", () => {
    const pinned = JSON.parse(readFileSync(join(import.meta.dirname, "../../../package.json"), "utf8")).dependencies["swagger-ui-dist"];
    expect(pinned).toBe(SWAGGER_UI_VERSION);
  });

  it("serves the start-up script, and nothing else of the package", async () => {
    const init = await app.request("/swagger/init.js");
    expect(init.status).toBe(200);
    expect(init.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await init.text()).toContain("SwaggerUIBundle(");
    for (const path of [
      `${VENDOR}/index.html`,
      `${VENDOR}/package.json`,
      `${VENDOR}/swagger-initializer.js`,
      `${VENDOR}/../package.json`,
      "/swagger/0.0.0/swagger-ui.css",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ message: "Route not found." });
    }
  });
});
