// The docs page and its start-up script. The script is a file of its own, not inline, so the page's
// Content-Security-Policy can forbid inline script altogether (src/http/headers.ts).
import { SWAGGER_UI_VERSION } from "./vendor.ts";

/** Attribute-safe: the only interpolated values are Gatehouse's own paths. */
const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/**
 * URLs are relative to /swagger, so the page also works behind a proxy that mounts Gatehouse under a path.
 * The empty data: icon stops the browser asking for /favicon.ico.
 */
export function docsPage(openapiPath: string): string {
  const vendor = `swagger/${SWAGGER_UI_VERSION}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${attr(vendor)}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="${attr(openapiPath.replace(/^\//, ""))}"></div>
<script src="${attr(vendor)}/swagger-ui-bundle.js"></script>
<script src="swagger/init.js"></script>
</body>
</html>
`;
}

/**
 * Starts Swagger UI on the OpenAPI document named by the page. `validatorUrl: null` turns off the badge,
 * which would load an image from validator.swagger.io.
 */
export const INIT_SCRIPT = `"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: new URL(root.getAttribute("data-openapi-url"), document.baseURI).href,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
  });
})();
`;
