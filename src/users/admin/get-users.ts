// GET /users: search, paginate and count the users the caller may read (Coder's coderd/users.go `users`).
import { z } from "@hono/zod-openapi";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import { parsePagination } from "../../http/pagination.ts";
import type { Router } from "../../http/router.ts";
import { organizationIdsOf, UserSchema, userView } from "../view.ts";
import { listUsers } from "./list-users.ts";
import { parseUserSearch } from "./search.ts";
import { readableUsers } from "./visibility.ts";

// Declared for the OpenAPI document only: every value is checked below with Coder's own wording, which
// a schema validator cannot produce.
const Query = z.object({
  q: z.string().optional().openapi({ description: "Search query" }),
  after_id: z.string().optional().openapi({ description: "After ID", format: "uuid" }),
  limit: z.string().optional().openapi({ description: "Page limit", type: "integer" }),
  offset: z.string().optional().openapi({ description: "Page offset", type: "integer" }),
});

const GetUsersResponse = z.object({ users: z.array(UserSchema), count: z.number().int() }).openapi("GetUsersResponse");

const route = defineRoute("get", "/users", "Get users", { auth: "session", query: Query, errors: [400], responses: ok(GetUsersResponse) });

export const getUsers = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    const search = parseUserSearch(c.req.query("q") ?? "");
    if (!search.ok) throw apiError(400, "Invalid user search query.", undefined, search.validations);
    const { page, validations } = parsePagination((key) => c.req.query(key));
    if (validations.length > 0) throw apiError(400, "Query parameters have invalid values.", undefined, validations);

    const { rows, count } = await listUsers(c.env.deps.db, search.search, page, (id) => readableUsers(actor, id));
    const seen = actor.user.lastSeenAt;
    const users = rows.map(({ user, memberships }) => {
      // The session's last-seen stamp is written after the response; the caller already sees it.
      const fresher = user.id === actor.userId && seen && (!user.lastSeenAt || seen > user.lastSeenAt);
      return userView(fresher ? { ...user, lastSeenAt: seen } : user, organizationIdsOf(memberships));
    });
    return c.json({ users, count }, 200);
  });
