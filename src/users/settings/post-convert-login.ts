// POST /users/{user}/convert-login (Coder's coderd/userauth.go `postConvertLoginType`): a password account asks
// to sign in with GitHub or OIDC from now on. The password is checked as a sign-in checks it, and the
// answer is a short-lived signed state (src/oauth/convert-state.ts) in a cookie and in the body; the
// dashboard then runs the provider's flow with it, and the callback converts the account.
import { z } from "@hono/zod-openapi";
import { auditFacts } from "../../audit/facts.ts";
import { verifyStoredPassword } from "../../auth/pbkdf2.ts";
import { rfc3339 } from "../../compat/time.ts";
import { defineRoute, created } from "../../http/define-route.ts";
import { apiError } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requiredString } from "../../http/validation.ts";
import { issueConvertState, type ConvertTarget } from "../../oauth/convert-state.ts";
import { notConfigured } from "../../oauth/flow.ts";
import { assertPasswordSignIn } from "../password-sign-in.ts";
import { requirePersonal, requireSelf } from "../target.ts";
import { UserSchema } from "../view.ts";

const Body = z.object({ to_type: requiredString(), password: requiredString() }).openapi("ConvertLoginRequest");

const Response = z
  .object({
    state_string: z.string(),
    expires_at: z.string().openapi({ format: "date-time" }),
    to_type: UserSchema.shape.login_type,
    user_id: z.string().openapi({ format: "uuid" }),
  })
  .openapi("OAuthConversionResponse");

const route = defineRoute("post", "/users/{user}/convert-login", "Convert user from password to oauth authentication", {
  tags: ["Authorization"],
  auth: "user-target",
  body: Body,
  // Coder checks only the password, so anyone who knows it may ask; Gatehouse lets only the user ask for their
  // own account, as the other login-type route does. Checked before the body is read, like every refusal that
  // does not depend on it.
  middleware: [requirePersonal("update_personal"), requireSelf("You are not authorized to convert this user's login type.")],
  errors: [401, 403, 428],
  responses: created(Response),
});

/** Login types that exist but cannot be converted to (codersdk's LoginType values other than github and oidc). */
const NOT_CONVERTIBLE = new Set(["none", "password", "token"]);
const convertible = (type: string): type is ConvertTarget => type === "github" || type === "oidc";

export const postConvertLogin = (app: Router) =>
  app.openapi(route, async (c) => {
    const { config, hasher } = c.env.deps;
    const { user } = c.get("target");
    const { to_type: toType, password } = c.req.valid("json");
    if (!convertible(toType)) {
      throw apiError(400, NOT_CONVERTIBLE.has(toType) ? `Cannot convert to login type "${toType}".` : `Unknown login type "${toType}".`);
    }
    // Coder lets the conversion fail at the callback (428); refused here before any password is checked.
    if (!config[toType]) throw notConfigured();

    // The checks of a password sign-in (Coder's loginRequest), in its order and words.
    const { ok } = await verifyStoredPassword(hasher, user.hashedPassword || undefined, password);
    assertPasswordSignIn(user, ok, config.disablePasswordAuth);

    const { state, expiresAt } = await issueConvertState(c, user, toType);
    // Coder's audited resource is the conversion state: its id the user's, its name the target login type.
    auditFacts(c, { resourceId: user.id, resourceTarget: toType });
    return c.json({ state_string: state, expires_at: rfc3339(expiresAt), to_type: toType, user_id: user.id }, 201);
  });
