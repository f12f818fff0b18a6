// /users/{username}: one user, and what the signed-in administrator may do to them: suspend or activate
// (PUT /users/{id}/status/...), edit site roles (PUT /users/{id}/roles, the picker from GET /users/roles),
// reset the password (PUT /users/{id}/password) and delete (DELETE /users/{id}); the last two are confirmed
// in a dialog first (console.js, data-confirm-dialog). Controls the API would refuse are not shown, by the
// API's own rules: nobody acts on themselves here (src/users/lifecycle: "cannot suspend/delete yourself",
// "cannot change your own roles"), only an owner acts on an owner (rbac.ts mayActOnUser), an owner cannot be
// suspended (put-user-status.ts), and only a password account has a password to reset.
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../deps.ts";
import type { UserView } from "../../users/view.ts";
import { apiGetAll } from "../api.ts";
import { apiErrorBox } from "../api-error.ts";
import { apiForm, field, seg, submit } from "../form.ts";
import { when } from "../format.ts";
import { type Html, layout } from "../layout.ts";
import { section } from "../parts.ts";
import { page } from "../respond.ts";
import { roleChips, statusChip } from "./chips.ts";
import { USERS_PATH } from "./list.ts";

export interface AssignableRole {
  name: string;
  display_name: string;
  assignable: boolean;
}

const isOwner = (u: Pick<UserView, "roles">) => u.roles.some((r) => r.name === "owner");

function details(u: UserView): Html {
  const facts: [string, Html | string][] = [
    ["Email", u.email],
    ["Name", u.name || "none"],
    ["Status", statusChip(u.status)],
    ["Roles", roleChips(u)],
    ["Signs in with", u.login_type],
    ["Created", when(u.created_at)],
    ["Last seen", when(u.last_seen_at)],
  ];
  return html`<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function statusSection(u: UserView): Html {
  const api = `/api/v2/users/${seg(u.id)}/status/`;
  // Suspension is undone with one click (activate), so it is not confirmed; the user's keys survive it.
  const form =
    u.status === "suspended"
      ? apiForm(
          { id: "activate-form", method: "PUT", path: `${api}activate`, successMessage: `${u.username} is active again.`, signedIn: true },
          submit(`Activate ${u.username}`),
        )
      : isOwner(u)
        ? html`<p class="hint">An owner cannot be suspended: remove the Owner role first.</p>`
        : apiForm(
            { id: "suspend-form", method: "PUT", path: `${api}suspend`, successMessage: `${u.username} is suspended.`, signedIn: true },
            html`<p class="hint">A suspended user cannot sign in or use their tokens until activated.</p>${submit(`Suspend ${u.username}`, "danger")}`,
          );
  return section("status", "Status", form);
}

function roleBox(r: AssignableRole, held: boolean): Html {
  const id = `role-${r.name}`;
  // A role the administrator may not grant or revoke is shown as it is and, when held, sent back unchanged
  // (PUT /roles replaces the whole set).
  return html`<div class="field inline"><input type="checkbox" id="${id}"${
    r.assignable ? html` name="roles" value="${r.name}" data-type="list"` : html` disabled`
  }${held ? html` checked` : ""}><label for="${id}">${r.display_name}</label>${
    !r.assignable && held ? html`<input type="hidden" name="roles" value="${r.name}" data-type="list">` : ""
  }</div>`;
}

function rolesSection(u: UserView, roles: AssignableRole[]): Html {
  const held = new Set(u.roles.map((r) => r.name));
  const boxes = html`<fieldset><legend>Site roles of ${u.username}</legend>${roles.map((r) => roleBox(r, held.has(r.name)))}</fieldset>`;
  // A user admin assigns no site role but the implied member (src/auth/rbac.ts): the roles are shown, not offered.
  return section(
    "roles",
    "Roles",
    roles.some((r) => r.assignable)
      ? apiForm(
          { id: "roles-form", method: "PUT", path: `/api/v2/users/${seg(u.id)}/roles`, successMessage: "Roles saved.", signedIn: true },
          html`${boxes}${submit("Save roles")}`,
        )
      : html`${boxes}<p class="hint">Only an owner can change site roles.</p>`,
  );
}

function passwordSection(u: UserView): Html {
  if (u.login_type !== "password") return html``;
  return section(
    "reset-password",
    "Reset password",
    apiForm(
      {
        id: "reset-password-form",
        method: "PUT",
        path: `/api/v2/users/${seg(u.id)}/password`,
        success: "message",
        successMessage: `Password of ${u.username} changed. Their sessions were signed out.`,
        reset: true,
        signedIn: true,
        confirmDialog: {
          question: `Set a new password for ${u.username}? Every session of theirs is signed out.`,
          button: "Reset password",
        },
      },
      html`${field({
        id: "reset-password-value",
        name: "password",
        label: "New password",
        type: "password",
        autocomplete: "new-password",
        required: true,
        attrs: html` data-validate-password="reset-password-strength"`,
      })}<p id="reset-password-strength" class="strength" aria-live="polite"></p>${submit("Reset password", "danger")}`,
    ),
  );
}

function deleteSection(u: UserView): Html {
  return section(
    "delete",
    "Delete",
    apiForm(
      {
        id: "delete-form",
        method: "DELETE",
        path: `/api/v2/users/${seg(u.id)}`,
        success: "redirect",
        redirect: USERS_PATH,
        successMessage: `User ${u.username} deleted.`,
        signedIn: true,
        confirmDialog: {
          question: `Delete ${u.username}? They are signed out everywhere and their tokens removed.`,
          button: `Delete ${u.username}`,
        },
      },
      submit(`Delete ${u.username}`, "danger"),
    ),
  );
}

/** Why there are no controls, when there are none. */
function noControls(me: UserView, u: UserView): string | undefined {
  if (u.id === me.id) return "This is you: change your own profile and password on your Account page.";
  if (isOwner(u) && !isOwner(me)) return "Only an owner can change an owner.";
  return undefined;
}

export async function userPage(c: Context<AppEnv>, me: UserView, username: string) {
  const [user, roles] = await apiGetAll<[UserView, AssignableRole[]]>(c, [`/users/${seg(username)}`, "/users/roles"]);
  const back = html`<p><a href="${USERS_PATH}">← All users</a></p>`;
  if (!user.ok) {
    const body = html`${back}<h1>User not found</h1>${apiErrorBox("user-error", "Could not open this user", user.status, user.body as never)}`;
    return page(c, layout({ title: "User not found", me, current: USERS_PATH, theme: me.theme_preference, body }), 404);
  }
  const u = user.body!;
  const why = noControls(me, u);
  const body = html`${back}<h1>${u.username}</h1>
${details(u)}
${
  why
    ? html`<p class="note">${why}${u.id === me.id ? html` <a href="/">Account</a>` : ""}</p>`
    : html`${statusSection(u)}
${roles.ok ? rolesSection(u, roles.body!) : ""}
${passwordSection(u)}
${deleteSection(u)}`
}`;
  return page(c, layout({ title: u.username, me, current: USERS_PATH, theme: me.theme_preference, body }));
}
