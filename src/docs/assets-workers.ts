// Workers: the vendor files are Workers static assets (wrangler.toml [assets]: build/assets, where
// scripts/console-assets.ts copies just these two files from swagger-ui-dist), fetched through the ASSETS
// binding. At about 1.5 MB, the bundle could not be part of the worker itself (npm run check:bundle).
// `run_worker_first` sends every request to the worker, which asks only for the files this app routes.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { errorBody } from "../http/errors.ts";
import { logLine } from "../http/logging.ts";
import type { VendorFile } from "./vendor.ts";

export const vendorFile =
  (file: VendorFile): MiddlewareHandler<AppEnv> =>
  async (c) => {
    const assets = c.env.deps.assets;
    if (!assets) {
      logLine("error", "docs assets unavailable: the worker has no ASSETS binding (wrangler.toml [assets])", { file });
      return c.json(errorBody("Route not found."), 404);
    }
    const conditional = c.req.header("if-none-match");
    const res = await assets.fetch(
      new Request(new URL(`/${file}`, c.req.url), conditional ? { headers: { "if-none-match": conditional } } : {}),
    );
    if (res.status !== 200 && res.status !== 304) {
      logLine("error", "docs asset missing from the ASSETS binding", { file, status: res.status });
      return c.json(errorBody("Route not found."), 404);
    }
    for (const name of ["content-type", "etag"]) {
      const value = res.headers.get(name);
      if (value) c.header(name, value);
    }
    return res.status === 304 ? c.body(null, 304) : c.body(res.body ?? "", 200);
  };
