// The docs page on the real worker: the Swagger UI files come from the Workers static assets (wrangler.toml
// [assets]) through the ASSETS binding, and only the two the app routes are reachable.
import { describe, expect, it } from "vitest";
import { SWAGGER_UI_VERSION } from "../../src/docs/vendor.ts";
import { DOCS_CONTENT_SECURITY_POLICY } from "../../src/http/headers.ts";
import { workerClient } from "./client.ts";

const call = workerClient();
const VENDOR = `/swagger/${SWAGGER_UI_VERSION}`;

describe("docs UI on workers", () => {
  it("serves the page with its Content-Security-Policy", async () => {
    const res = await call("/swagger");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(await res.text()).toContain(`${VENDOR.slice(1)}/swagger-ui-bundle.js`);
  });

  it.each([
    ["swagger-ui-bundle.js", /javascript/, "SwaggerUIBundle"],
    ["swagger-ui.css", /^text\/css/, ".swagger-ui"],
  ])("serves %s from the static assets, cached for a year", async (file, type, marker) => {
    const res = await call(`${VENDOR}/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const body = await res.text();
    expect(body.length).toBeGreaterThan(100_000);
    expect(body).toContain(marker);
  });

  it("answers If-None-Match with 304 from the asset's ETag", async () => {
    const first = await call(`${VENDOR}/swagger-ui.css`);
    const etag = first.headers.get("etag");
    await first.arrayBuffer();
    expect(etag).toBeTruthy();
    const again = await call(`${VENDOR}/swagger-ui.css`, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("reaches nothing else in the assets directory", async () => {
    for (const path of [`${VENDOR}/index.html`, `${VENDOR}/package.json`, "/index.html", "/swagger-ui-bundle.js"]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
    }
  });
});
