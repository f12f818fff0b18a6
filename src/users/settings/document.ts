// GET and PUT /users/{user}/appearance and /users/{user}/preferences (Coder's coderd/users.go
// `userAppearanceSettings`, `putUserAppearanceSettings`, `userPreferenceSettings`, `putUserPreferenceSettings`).
// Both are the same kind of thing, a small settings document stored as user_configs rows: reading one needs
// `read_personal`; changing one `update_personal` and, for an owner's, being an owner. A PUT checks the body
// in the document's own way, writes the keys the body sets and answers what is then stored. The documents
// themselves (keys, values, checks, views) are in appearance.ts and preferences.ts.
import type { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requireMayActOnTarget, requirePersonal } from "../target.ts";
import { readTarget, type TargetRead } from "../target-reads.ts";
import { readConfigs, writeAndRead } from "./configs.ts";

export interface SettingsDocument<S extends z.ZodType, B extends z.ZodType> {
  /** The path segment after /users/{user}/. */
  path: "appearance" | "preferences";
  /** The word Coder's summaries use: "Get user <noun> settings". */
  noun: string;
  schema: S;
  body: B;
  /** The user_configs keys the document is made of. */
  keys: readonly string[];
  view(stored: ReadonlyMap<string, string>): z.infer<S>;
  /** Throws Coder's error for a body the schema accepts but the document does not. */
  check(body: z.infer<B>): void;
  /** The keys a PUT writes. */
  writes(body: z.infer<B>): Map<string, string>;
}

export function mountSettingsDocument<S extends z.ZodType, B extends z.ZodType>(app: Router, doc: SettingsDocument<S, B>): void {
  const path = `/users/{user}/${doc.path}` as const;
  const stored: TargetRead<Map<string, string>> = (db, userId) => readConfigs(db, userId, doc.keys);
  const read = defineRoute("get", path, `Get user ${doc.noun} settings`, {
    auth: "user-target",
    alongside: [stored],
    middleware: [requirePersonal("read_personal")],
    responses: ok(doc.schema),
  });
  const write = defineRoute("put", path, `Update user ${doc.noun} settings`, {
    auth: "user-target",
    body: doc.body,
    middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the settings of")],
    errors: [403],
    responses: ok(doc.schema),
  });

  app.openapi(read, async (c) => c.json(doc.view(await readTarget(c, stored)), 200));
  app.openapi(write, async (c) => {
    // The body validated against doc.body; TypeScript cannot follow a generic schema through the route's types.
    const body = c.req.valid("json" as never) as z.infer<B>;
    doc.check(body);
    const stored = await writeAndRead(c.env.deps.db, c.get("target").user.id, doc.writes(body), doc.keys);
    return c.json(doc.view(stored), 200);
  });
}
