// GET /users/{user}/keys/tokens (Coder's coderd/apikey.go `tokens`): the user's named tokens, or with include_all
// every user's the caller may read (owners: all). Expired tokens only with include_expired.
import { z } from "@hono/zod-openapi";
import { parseGoBool } from "../compat/go-parse.ts";
import { defineRoute } from "../http/define-route.ts";
import { apiError, type Validation } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { listTokens } from "./queries.ts";
import { APIKeyWithOwnerSchema, apiKeyView } from "./view.ts";

const route = defineRoute("get", "/users/{user}/keys/tokens", "Get user tokens", {
  auth: "user-target",
  parameters: [
    { name: "include_expired", in: "query", description: "Include expired tokens in the list", schema: { type: "boolean" } },
    { name: "include_all", in: "query", description: "Tokens of every user the caller may read", schema: { type: "boolean" } },
  ],
  errors: [400],
  responses: {
    200: { description: "OK", content: { "application/json": { schema: z.array(APIKeyWithOwnerSchema) } } },
  },
});

/** Go's strconv.ParseBool spellings; absent or empty is false. */
function readBool(value: string | undefined, name: string, errors: Validation[]): boolean {
  if (value === undefined || value === "") return false;
  const parsed = parseGoBool(value);
  if ("error" in parsed) errors.push({ field: name, detail: `Query param "${name}" must be a valid boolean` });
  return "value" in parsed && parsed.value;
}

export const getTokens = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const errors: Validation[] = [];
    const includeExpired = readBool(c.req.query("include_expired"), "include_expired", errors);
    const includeAll = readBool(c.req.query("include_all"), "include_all", errors);
    if (errors.length > 0) throw apiError(400, "Query parameters have invalid values.", undefined, errors);

    const rows = await listTokens(db, c.get("actor"), {
      userId: includeAll ? undefined : c.get("target").user.id,
      includeExpired,
      now: now(),
    });
    return c.json(
      rows.map(({ key, username }) => ({ ...apiKeyView(key), username })),
      200,
    );
  });
