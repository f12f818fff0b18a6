// The API docs UI at /swagger: Swagger UI from the pinned swagger-ui-dist package, served by Gatehouse
// itself on its own origin (the one that holds the session cookie), so the page runs no script fetched
// from anywhere else and renders without internet access. On Node the files come from node_modules, on
// Workers from the static assets (`#docs-assets` picks the implementation, as `#hasher` does).
import { vendorFile } from "#docs-assets";
import { DOCS_CONTENT_SECURITY_POLICY } from "../http/headers.ts";
import type { Router } from "../http/router.ts";
import { docsPage, INIT_SCRIPT } from "./page.ts";
import { SWAGGER_UI_VERSION, VENDOR_CACHE_CONTROL, VENDOR_FILES } from "./vendor.ts";

export const DOCS_PATH = "/swagger";

/** Plain routes (app.get), so they stay out of the OpenAPI document. */
export function mountDocs(app: Router, openapiPath: string): void {
  const page = docsPage(openapiPath);
  app.get(DOCS_PATH, (c) => {
    c.header("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY);
    c.header("Cache-Control", "no-cache");
    return c.html(page);
  });
  // Changes with Gatehouse, not with the package: revalidated rather than kept.
  app.get(`${DOCS_PATH}/init.js`, (c) => {
    c.header("Cache-Control", "no-cache");
    return c.body(INIT_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  for (const file of VENDOR_FILES) {
    const serve = vendorFile(file);
    app.get(`${DOCS_PATH}/${SWAGGER_UI_VERSION}/${file}`, (c, next) => {
      c.header("Cache-Control", VENDOR_CACHE_CONTROL);
      return serve(c, next);
    });
  }
}
