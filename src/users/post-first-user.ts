// Creates the initial owner. The database decides races: a transaction-scoped advisory lock serialises
// concurrent attempts, so twenty at once create exactly one owner and the rest get 409.
import { z } from "@hono/zod-openapi";
import { checkPassword } from "../auth/password-policy.ts";
import { auditFacts } from "../audit/facts.ts";
import { defineRoute, created } from "../http/define-route.ts";
import { apiError } from "../http/errors.ts";
import type { Router } from "../http/router.ts";
import { defaultOrganizationId } from "../orgs/queries.ts";
import type { Tx } from "../db/index.ts";
import { emailField, realNameField, requiredString, usernameField } from "../http/validation.ts";
import { insertUser } from "./create.ts";
import { lockFirstUser, newUserRole } from "./first-owner.ts";
import { hasFirstUser } from "./queries.ts";

const Body = z
  .object({
    email: emailField(),
    username: usernameField(),
    name: realNameField().optional(),
    password: requiredString(),
    // Enterprise trial and onboarding answers are accepted and ignored, as in Coder without a license.
    trial: z.boolean().optional(),
    trial_info: z.record(z.string(), z.unknown()).optional(),
    onboarding_info: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("CreateFirstUserRequest");

const Created = z.object({ user_id: z.uuid(), organization_id: z.uuid() }).openapi("CreateFirstUserResponse");

const route = defineRoute("post", "/users/first", "Create initial user", {
  auth: "public",
  body: Body,
  errors: [409],
  responses: created(Created),
});

const alreadyCreated = () => apiError(409, "The initial user has already been created.");

export const postFirstUser = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, hasher, now } = c.env.deps;
    const body = c.req.valid("json");
    if (await hasFirstUser(db)) throw alreadyCreated();
    const weakness = checkPassword(body.password);
    // Newest Coder's wording (coderd/users.go `postFirstUser`); versions before it said "Password not strong enough!".
    if (weakness) throw apiError(400, "Password is invalid", undefined, [{ field: "password", detail: weakness }]);
    const hashedPassword = await hasher.hash(body.password);

    const created = await db.transaction(async (tx: Tx) => {
      await lockFirstUser(tx);
      const { first, rbacRoles } = await newUserRole(tx);
      if (!first) return undefined;
      const orgId = await defaultOrganizationId(tx);
      if (!orgId) {
        throw apiError(
          500,
          "Internal error fetching default organization. If you are encountering this error, you will have to restart the Coder deployment.",
        );
      }
      const user = await insertUser(
        tx,
        {
          email: body.email,
          username: body.username,
          name: (body.name ?? "").trim(),
          hashedPassword,
          status: "active",
          loginType: "password",
          rbacRoles,
          organizationIds: [orgId],
        },
        now(),
      );
      return { user_id: user.id, organization_id: orgId };
    });
    if (!created) throw alreadyCreated();
    auditFacts(c, { resourceId: created.user_id, resourceTarget: body.username });
    return c.json(created, 201);
  });
