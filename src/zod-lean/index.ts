// The worker bundles this module wherever code imports "zod" (wrangler.toml [alias]). @hono/zod-openapi
// passes zod's whole namespace to its OpenAPI extension, so no bundler can drop the 40-odd translated
// error-message locales that namespace carries (~38 KiB gzip of a 250 KiB budget). Gatehouse answers in
// English only, so the worker gets the same API without them. Node and the tests use zod unchanged.
// The re-exports name zod's internal module paths, so package.json pins zod exactly; bumping it means
// running test/node/ops/zod-lean.test.ts, which checks this entry against the installed zod.
// @ts-nocheck -- see ./external.ts
import * as z from "./external.ts";
export * from "./external.ts";
export { z, z as default };
