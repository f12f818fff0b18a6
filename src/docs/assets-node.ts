// Node: the vendor files straight from node_modules/swagger-ui-dist, streamed by @hono/node-server's
// serveStatic (Content-Type, Last-Modified, HEAD and Range handled there).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import type { VendorFile } from "./vendor.ts";

const packageDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

export const vendorFile = (file: VendorFile): MiddlewareHandler<AppEnv> => serveStatic({ path: join(packageDir, file) });
