import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requireMayActOnTarget, requirePersonal } from "../target.ts";
import { GitSshKeySchema, gitSshKeyView, regenerateKey } from "./gitsshkey.ts";

const route = defineRoute("put", "/users/{user}/gitsshkey", "Regenerate user SSH key", {
  auth: "user-target",
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("regenerate the Git SSH key of")],
  errors: [403],
  responses: ok(GitSshKeySchema),
});

export const putGitSshKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const row = await regenerateKey(db, c.get("target").user.id, now());
    return c.json(gitSshKeyView(row), 200);
  });
