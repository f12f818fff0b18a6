import { defineRoute, ok } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { requirePersonal } from "../target.ts";
import { readTarget } from "../target-reads.ts";
import { GitSshKeySchema, gitSshKeyView, keyOrNew, readKey } from "./gitsshkey.ts";

const route = defineRoute("get", "/users/{user}/gitsshkey", "Get user Git SSH key", {
  auth: "user-target",
  alongside: [readKey],
  middleware: [requirePersonal("read_personal")],
  responses: ok(GitSshKeySchema),
});

export const getGitSshKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const row = await keyOrNew(db, c.get("target").user.id, now(), await readTarget(c, readKey));
    return c.json(gitSshKeyView(row), 200);
  });
