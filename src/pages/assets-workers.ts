// Workers: the console's files are Workers static assets (wrangler.toml [assets], build/assets assembled by
// scripts/console-assets.ts) under their hashed names, fetched through the ASSETS binding, so they add
// nothing to the worker's bundle.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { errorBody } from "../http/errors.ts";
import { logLine } from "../http/logging.ts";

export const assetFile =
  (_file: string, hashed: string): MiddlewareHandler<AppEnv> =>
  async (c) => {
    const assets = c.env.deps.assets;
    if (!assets) {
      logLine("error", "console assets unavailable: the worker has no ASSETS binding (wrangler.toml [assets])", { file: hashed });
      return c.json(errorBody("Route not found."), 404);
    }
    const conditional = c.req.header("if-none-match");
    const res = await assets.fetch(
      new Request(new URL(`/${hashed}`, c.req.url), conditional ? { headers: { "if-none-match": conditional } } : {}),
    );
    if (res.status !== 200 && res.status !== 304) {
      logLine("error", "console asset missing from the ASSETS binding (npm run assets)", { file: hashed, status: res.status });
      return c.json(errorBody("Route not found."), 404);
    }
    for (const name of ["content-type", "etag"]) {
      const value = res.headers.get(name);
      if (value) c.header(name, value);
    }
    return res.status === 304 ? c.body(null, 304) : c.body(res.body ?? "", 200);
  };
