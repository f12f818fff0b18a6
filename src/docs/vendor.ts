// The Swagger UI files Gatehouse serves from the pinned swagger-ui-dist package (package.json pins it
// exactly). Their URLs carry the package's version, so a browser may keep them for a year: a different
// version is a different URL.
import swaggerUiDist from "swagger-ui-dist/package.json" with { type: "json" };

export const SWAGGER_UI_VERSION: string = swaggerUiDist.version;

/** Only these two of the package's files are reachable: the self-contained bundle and its stylesheet. */
export const VENDOR_FILES = ["swagger-ui-bundle.js", "swagger-ui.css"] as const;
export type VendorFile = (typeof VENDOR_FILES)[number];

export const VENDOR_CACHE_CONTROL = "public, max-age=31536000, immutable";
