// zod's public API minus `locales`, `fromJSONSchema` (JSON Schema to zod, ~5 KiB gzip) and the schema compiler
// (`compile`, `withParser` and their errors and sentinel: code generation of a schema's validator, ~8 KiB gzip),
// which nothing in Gatehouse or its zod-based libraries calls. zod's parser never imports the compiler: it only
// uses a validator `compile` attached to a schema, and none is. See ./index.ts for why the worker bundles this
// instead of "zod".
// @ts-nocheck -- plain re-exports of zod's own modules; their types come from "zod" for every caller.
export * as core from "./core.ts";
export * from "../../node_modules/zod/v4/classic/schemas.js";
export * from "../../node_modules/zod/v4/classic/checks.js";
export * from "../../node_modules/zod/v4/classic/errors.js";
export * from "../../node_modules/zod/v4/classic/parse.js";
export * from "../../node_modules/zod/v4/classic/compat.js";
export {
  globalRegistry,
  registry,
  config,
  memoizer,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
  toZod,
  getDiscriminatedOption,
} from "./core.ts";
export { toJSONSchema } from "../../node_modules/zod/v4/core/json-schema-processors.js";
export { deepPartial } from "../../node_modules/zod/v4/classic/deep-partial.js";
export { input, output } from "../../node_modules/zod/v4/classic/in-out.js";
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from "../../node_modules/zod/v4/classic/iso.js";
export * as iso from "../../node_modules/zod/v4/classic/iso.js";
export * as coerce from "../../node_modules/zod/v4/classic/coerce.js";
