// PUT /users/{user}/password (Coder's coderd/users.go `putUserPassword`). The checks run in Coder's order; the two that do
// not need the body (who may change whose password) run before it is read, so an auditor learns nothing
// from a malformed body or a wrong old password.
import { z } from "@hono/zod-openapi";
import { defineRoute, noContent } from "../../http/define-route.ts";
import { apiError, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { requiredString } from "../../http/validation.ts";
import { requireMayActOnTarget, requirePersonal } from "../target.ts";
import { assertStrongPassword, replacePassword, samePassword } from "./passwords.ts";

const Body = z
  .object({
    old_password: z.string().optional(),
    password: requiredString(),
  })
  .openapi("UpdateUserPasswordRequest");

const route = defineRoute("put", "/users/{user}/password", "Update user password", {
  auth: "user-target",
  body: Body,
  // Coder's status and wording for the owners rule (400 "Only owners can change the password of an owner.").
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the password of", 400)],
  responses: noContent(),
});

const oldPasswordIncorrect = () =>
  apiError(400, "Old password is incorrect.", undefined, [{ field: "old_password", detail: "Old password is incorrect." }]);

export const putUserPassword = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, hasher } = c.env.deps;
    const actor = c.get("actor");
    const { user } = c.get("target");
    const { old_password: oldPassword = "", password } = c.req.valid("json");

    if (user.loginType !== "password") throw apiError(400, "Users without password login type cannot change their password.");
    if (actor.userId === user.id && oldPassword === "") throw apiError(400, "Old password is required.");
    assertStrongPassword(password);
    // An admin may skip the old password, but one that is given must be right.
    if (oldPassword !== "" && !(await hasher.verify(user.hashedPassword, oldPassword))) throw oldPasswordIncorrect();
    if (user.hashedPassword && (await hasher.verify(user.hashedPassword, password))) throw samePassword();

    const hashed = await hasher.hash(password);
    // When the old password was checked, the write only lands on the hash it was checked against.
    const replaced = await replacePassword(db, user.id, hashed, oldPassword !== "" ? { hashedPassword: user.hashedPassword } : {});
    if (!replaced) throw oldPassword !== "" ? oldPasswordIncorrect() : notFound();
    return c.body(null, 204);
  });
