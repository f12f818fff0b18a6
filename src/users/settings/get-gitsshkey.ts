import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../../auth/session.ts";
import { errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { UserParam, withTargetUser } from "../target.ts";
import { GitSshKeySchema, gitSshKeyView, readOrCreateKey } from "./gitsshkey.ts";
import { requirePersonal } from "./personal.ts";

const route = createRoute({
  method: "get",
  path: "/users/{user}/gitsshkey",
  tags: ["Users"],
  summary: "Get user Git SSH key",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser(), requirePersonal("read_personal")] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: GitSshKeySchema } } },
    ...errorResponses(401, 404),
  },
});

export const getGitSshKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const row = await readOrCreateKey(db, c.get("target").user.id, now());
    return c.json(gitSshKeyView(row), 200);
  });
