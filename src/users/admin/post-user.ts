// POST /users: an owner or user admin creates a user (Coder's coderd/users.go `postUser`). The checks run in Coder's
// order, so a client meets the same first error Coder would give. The insert (user, memberships, Git SSH
// key) is one transaction, and the unique indexes have the last word on duplicates.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { auditFacts } from "../../audit/facts.ts";
import type { Actor } from "../../auth/actor.ts";
import { checkPassword } from "../../auth/password-policy.ts";
import { can, canAssignSiteRole, isSiteRole } from "../../auth/rbac.ts";
import { uniqueViolation } from "../../db/errors.ts";
import type { Db } from "../../db/index.ts";
import type { AppEnv } from "../../deps.ts";
import type { LoginType } from "../../db/schema.ts";
import { defineRoute, created } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { liveOrganizations } from "../../orgs/queries.ts";
import { realNameField, tag, usernameField } from "../../http/validation.ts";
import { createUser } from "../create.ts";
import { notifyAccountCreated } from "../notifications/events.ts";
import { nameOrEmailInUse } from "../queries.ts";
import { UserSchema, userView } from "../view.ts";
import { NIL_UUID, parseUuid } from "../../compat/go-parse.ts";
import { readableUsers } from "./visibility.ts";

const EMAIL = z.email();

const Body = z
  .object({
    // Required, except that service accounts have none (checked below, where the flag is known).
    email: z
      .string()
      .nullish()
      .refine((v) => !v || EMAIL.safeParse(v).success, tag("email"))
      .openapi({ format: "email" }),
    username: usernameField(),
    name: realNameField().nullish(),
    password: z.string().nullish(),
    login_type: z
      .string()
      .nullish()
      .openapi({ enum: ["", "password", "github", "oidc", "none"] }),
    user_status: z.enum(["active", "dormant", "suspended"], tag("oneof")).nullish(),
    organization_ids: z.array(z.string().openapi({ format: "uuid" })).nullish(),
    roles: z
      .array(z.string())
      .nullish()
      .superRefine((roles, ctx) => {
        const unknown = roles?.find((r) => !isSiteRole(r));
        if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(unknown)} is not a supported site role` });
      }),
    service_account: z.boolean().nullish(),
  })
  .superRefine((b, ctx) => {
    if (!b.service_account && !b.email) {
      ctx.addIssue({ code: "custom", path: ["email"], message: tag("required").error({ input: b.email ?? "" }) });
    }
  })
  .openapi("CreateUserRequestWithOrgs");

type Body = z.infer<typeof Body>;

/**
 * Go decodes `organization_ids` into []uuid.UUID while reading the body, so a malformed id is a JSON error
 * (400 "Request body must be valid JSON." with uuid's own message), reported before field validation.
 */
const decodeOrganizationIds = (): MiddlewareHandler<AppEnv> =>
  async function decodeOrganizationIds(c, next) {
    const body: unknown = await c.req.json();
    const ids = body && typeof body === "object" ? (body as { organization_ids?: unknown }).organization_ids : undefined;
    if (Array.isArray(ids)) {
      for (const id of ids) {
        if (typeof id !== "string") continue;
        const parsed = parseUuid(id);
        if ("error" in parsed) throw apiError(400, "Request body must be valid JSON.", parsed.error);
      }
    }
    await next();
  };

const route = defineRoute("post", "/users", "Create new user", {
  auth: "session",
  body: Body,
  bodyMiddleware: [decodeOrganizationIds()],
  errors: [403, 404, 409],
  responses: created(UserSchema),
});

const notAuthorized = () => apiError(403, "You are not authorized to create users.");
const alreadyExists = () => apiError(409, "User already exists.");

/** Service-account and login-type rules that need no database (Coder's postUser, steps 2-4). Returns the login type. */
function loginTypeOf(body: Body, disablePasswordAuth: boolean): string {
  const requested = body.login_type ?? "";
  if (body.service_account) {
    if (requested !== "" && requested !== "none") throw apiError(400, "Service accounts must use login type 'none'.");
    if (body.password) throw apiError(400, "Password cannot be set for service accounts.");
    if (body.email) throw apiError(400, "Email cannot be set for service accounts.");
    // Service accounts need a Coder Premium license; this build has none.
    throw apiError(403, "Service Accounts is a Premium feature. Contact sales!");
  }
  const loginType = requested || "password";
  if (loginType === "none") throw apiError(400, "Login type 'none' requires a service account.");
  if (loginType !== "password" && body.password) {
    throw apiError(400, `Password cannot be set for non-password (${JSON.stringify(loginType)}) authentication.`);
  }
  if (disablePasswordAuth && loginType === "password") {
    throw apiError(403, "Password based authentication is disabled! Unable to provision new users with password authentication.");
  }
  return loginType;
}

/**
 * A live user with this username or email, among the users the caller can see: like Coder, a member
 * re-using their own name hears 409, while a clash with an invisible user surfaces later as 403.
 */
async function userExists(db: Db, actor: Actor, username: string, email: string): Promise<boolean> {
  return nameOrEmailInUse(db, username, email, readableUsers(actor));
}

/** Requested ids → existing organizations the caller can read; the nil UUID names the default one. */
async function resolveOrganizations(db: Db, actor: Actor, requested: string[]): Promise<string[]> {
  const wantsDefault = requested.includes(NIL_UUID);
  const explicit = requested.filter((id) => id !== NIL_UUID);
  const found = await liveOrganizations(db, explicit, wantsDefault);
  const resolved: string[] = [];
  for (const id of requested) {
    const org = id === NIL_UUID ? found.find((o) => o.isDefault) : found.find((o) => o.id === id);
    if (!org || !can(actor, "organization", "read", { orgId: org.id })) {
      throw apiError(404, `Organization does not exist with the provided id "${id}".`);
    }
    if (!resolved.includes(org.id)) resolved.push(org.id);
  }
  return resolved;
}

export const postUser = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, hasher, config, now } = c.env.deps;
    const actor = c.get("actor");
    const body = c.req.valid("json");
    const email = body.email ?? "";
    const password = body.password ?? "";

    const loginType = loginTypeOf(body, config.disablePasswordAuth);
    const requestedOrgs = (body.organization_ids ?? []).map((id) => {
      const parsed = parseUuid(id);
      return "id" in parsed ? parsed.id : id;
    });
    if (requestedOrgs.length === 0) {
      throw apiError(
        400,
        "No organization specified to place the user as a member of. It is required to specify at least one organization id to place the user in.",
        "required at least 1 value for the array 'organization_ids'",
        [{ field: "organization_ids", detail: "Missing values, this cannot be empty" }],
      );
    }
    if (await userExists(db, actor, body.username, email)) throw alreadyExists();
    const organizationIds = await resolveOrganizations(db, actor, requestedOrgs);

    if (loginType === "password") {
      const weakness = checkPassword(password);
      // Newest Coder's wording; versions before it said "Password not strong enough!".
      if (weakness) throw apiError(400, "Password is invalid", undefined, [{ field: "password", detail: weakness }]);
    } else if (loginType === "oidc") {
      // Such a user can only ever sign in through the provider, so one must be configured.
      if (!config.oidc) throw apiError(400, "You must configure OIDC before creating OIDC users.");
    } else if (loginType !== "github") {
      throw apiError(400, `Unsupported login type ${JSON.stringify(loginType)} for manually creating new users.`);
    }

    // Checked where Coder's store checks it, at insert: every granted role must be one the caller may assign.
    const roles = (body.roles ?? []).filter((r) => r !== "member");
    if (!can(actor, "user", "create") || !["member", ...roles].every((r) => canAssignSiteRole(actor, r))) throw notAuthorized();

    // Hashed only once the request is known to be allowed: argon2 is the expensive part.
    const hashedPassword = loginType === "password" ? await hasher.hash(password) : "";
    try {
      const user = await createUser(
        db,
        {
          email,
          username: body.username,
          name: (body.name ?? "").trim(),
          hashedPassword,
          loginType: loginType as LoginType,
          status: body.user_status ?? "dormant",
          rbacRoles: roles,
          organizationIds,
        },
        now(),
      );
      auditFacts(c, { resourceId: user.id, resourceTarget: user.username });
      notifyAccountCreated(c.env.deps, user, actor.user.name);
      return c.json(userView(user, organizationIds), 201);
    } catch (err) {
      // A concurrent create won the race for the name or email.
      if (uniqueViolation(err) !== undefined) throw alreadyExists();
      throw err;
    }
  });
