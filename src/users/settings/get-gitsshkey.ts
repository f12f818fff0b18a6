import { defineRoute } from "../../http/define-route.ts";
import type { Router } from "../../http/router.ts";
import { GitSshKeySchema, gitSshKeyView, readOrCreateKey } from "./gitsshkey.ts";
import { requirePersonal } from "./personal.ts";

const route = defineRoute({
  method: "get",
  path: "/users/{user}/gitsshkey",
  tags: ["Users"],
  summary: "Get user Git SSH key",
  auth: "user-target",
  middleware: [requirePersonal("read_personal")],
  responses: { 200: { description: "OK", content: { "application/json": { schema: GitSshKeySchema } } } },
});

export const getGitSshKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const row = await readOrCreateKey(db, c.get("target").user.id, now());
    return c.json(gitSshKeyView(row), 200);
  });
