// Node: the console's files straight from src/pages/static/, streamed by @hono/node-server's serveStatic
// (Content-Type, Last-Modified, HEAD and Range handled there).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

const staticDir = join(dirname(fileURLToPath(import.meta.url)), "static");

export const assetFile = (file: string, _hashed: string): MiddlewareHandler<AppEnv> => serveStatic({ path: join(staticDir, file) });
