import { createRoute } from "@hono/zod-openapi";
import { requireActor } from "../../auth/session.ts";
import { errorResponses } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requireMayActOnTarget, UserParam, withTargetUser } from "../target.ts";
import { GitSshKeySchema, gitSshKeyView, regenerateKey } from "./gitsshkey.ts";
import { requirePersonal } from "./personal.ts";

const route = createRoute({
  method: "put",
  path: "/users/{user}/gitsshkey",
  tags: ["Users"],
  summary: "Regenerate user SSH key",
  security: [{ CoderSessionToken: [] }],
  middleware: [requireActor(), withTargetUser(), requirePersonal("update_personal"), requireMayActOnTarget("regenerate the Git SSH key of")] as const,
  request: { params: UserParam },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: GitSshKeySchema } } },
    ...errorResponses(401, 403, 404),
  },
});

export const putGitSshKey = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const row = await regenerateKey(db, c.get("target").user.id, now());
    return c.json(gitSshKeyView(row), 200);
  });
