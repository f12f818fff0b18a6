// The console's static files (src/pages/static/) under /assets/, by content-hashed name: a new version is a
// new URL, so browsers may keep each for a year. The names come from asset-manifest.ts, written by
// `npm run assets` (scripts/console-assets.ts). Node streams the source file; the Worker asks its ASSETS
// binding (`#page-assets` picks the implementation, as `#docs-assets` does for /swagger).
import { assetFile } from "#page-assets";
import type { Router } from "../http/router.ts";
import { ASSET_MANIFEST } from "./asset-manifest.ts";

export type AssetFile = keyof typeof ASSET_MANIFEST;

export const ASSETS_PATH = "/assets";
export const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** The URL of a static file, e.g. "/assets/console.1a2b3c4d5e.css". */
export const assetPath = (file: AssetFile): string => `${ASSETS_PATH}/${ASSET_MANIFEST[file]}`;

/** One plain route per file (app.get, outside the OpenAPI document); other names under /assets are 404s. */
export function mountAssets(app: Router): void {
  for (const [file, hashed] of Object.entries(ASSET_MANIFEST)) {
    const serve = assetFile(file, hashed);
    app.get(`${ASSETS_PATH}/${hashed}`, (c, next) => {
      c.header("Cache-Control", ASSET_CACHE_CONTROL);
      return serve(c, next);
    });
  }
}
