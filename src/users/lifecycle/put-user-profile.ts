// PUT /users/{user}/profile (Coder's coderd/users.go `putUserProfile`). Uniqueness of the new username is decided by the
// case-insensitive unique index, not by a prior read, so two concurrent renames cannot both win.
import { z } from "@hono/zod-openapi";
import { can } from "../../auth/rbac.ts";
import { defineRoute, ok } from "../../http/define-route.ts";
import { apiError, notFound } from "../../http/errors.ts";
import type { Router } from "../../http/router.ts";
import { realNameField, tag, usernameField } from "../../http/validation.ts";
import { uniqueViolation } from "../../db/errors.ts";
import { updateProfile } from "../queries.ts";
import { requireMayActOnTarget, requirePersonal } from "../target.ts";
import { organizationIdsOf, UserSchema, userView } from "../view.ts";

function isWebUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

const Body = z
  .object({
    username: usernameField(),
    name: realNameField().optional(),
    // Shown as an image source by clients: only web URLs, or "" for none.
    avatar_url: z
      .string(tag("url"))
      .refine((v) => v === "" || isWebUrl(v), tag("url"))
      .optional(),
  })
  .openapi("UpdateUserProfileRequest");

const route = defineRoute("put", "/users/{user}/profile", "Update user profile", {
  auth: "user-target",
  body: Body,
  // Someone who may read but not edit the user (an auditor) gets the same 404 as for an invisible user,
  // before the body is read, so a 409 cannot reveal which usernames are taken. Coder only fails at the
  // write, with a 500.
  middleware: [requirePersonal("update_personal"), requireMayActOnTarget("change the profile of")],
  errors: [403, 409],
  responses: ok(UserSchema),
});

/** SSO providers own these users' avatars; Coder keeps the stored one for them. */
const AVATAR_EDITABLE = new Set(["password", "none"]);

export const putUserProfile = (app: Router) =>
  app.openapi(route, async (c) => {
    const { db, now } = c.env.deps;
    const actor = c.get("actor");
    const { user, memberships } = c.get("target");
    const body = c.req.valid("json");

    // Renaming, even a change of case only, is an admin's act (user:update), not a personal edit.
    if (body.username !== user.username && !can(actor, "user", "update", { ownerId: user.id })) throw notFound();

    // An omitted avatar_url keeps the stored one: clients older than the field never send it.
    const avatarUrl = body.avatar_url !== undefined && AVATAR_EDITABLE.has(user.loginType) ? body.avatar_url : user.avatarUrl;
    let updated;
    try {
      // As in Coder (a Go string field), an omitted name clears it.
      updated = await updateProfile(db, user.id, { username: body.username, name: body.name ?? "", avatarUrl, updatedAt: now() });
    } catch (err) {
      if (uniqueViolation(err) === undefined) throw err;
      throw apiError(409, "A user with this username already exists.", undefined, [
        { field: "username", detail: "This username is already in use." },
      ]);
    }
    if (!updated) throw notFound();
    return c.json(userView(updated, organizationIdsOf(memberships)), 200);
  });
