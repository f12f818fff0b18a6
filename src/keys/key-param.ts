import { z } from "@hono/zod-openapi";
import { UserParam } from "../users/target.ts";

/** `{user}` and `{keyid}`. The key is found by id alone; `{user}` only has to be a user the caller can see. */
export const KeyParams = UserParam.extend({
  keyid: z.string().openapi({ param: { name: "keyid", in: "path" }, description: "Key ID" }),
});
