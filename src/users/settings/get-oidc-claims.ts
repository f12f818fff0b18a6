// The caller's own merged OIDC claims (Coder's coderd/users.go `userOIDCClaims`). A literal path: mounted before
// /users/{user} so it is never read as a username.
import { z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { oidcMergedClaims } from "../../oauth/queries.ts";

const ClaimsSchema = z.object({ claims: z.record(z.string(), z.unknown()) }).openapi("OIDCClaimsResponse");

const route = defineRoute("get", "/users/oidc-claims", "Get OIDC claims for the authenticated user", {
  auth: "session",
  errors: [400, 404],
  responses: ok(ClaimsSchema),
});

export const getOidcClaims = (app: Router) =>
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    // Claims are personal data: a token scoped below that (application_connect) may not read them.
    if (!can(actor, "user", "read_personal", { ownerId: actor.userId })) throw notFound();
    if (actor.user.loginType !== "oidc") throw apiError(400, "User is not an OIDC user.");
    const merged = await oidcMergedClaims(c.env.deps.db, actor.userId);
    // No link yet, or a link stored before claims were merged: an empty object, never null.
    const claims = merged && typeof merged === "object" && !Array.isArray(merged) ? (merged as Record<string, unknown>) : {};
    return c.json({ claims }, 200);
  });
