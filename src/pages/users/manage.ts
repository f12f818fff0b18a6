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
import { adminPage } from "../access.ts";
import { apiGetAll, type InProcessApp } from "../api.ts";
import { apiErrorBox } from "../api-error.ts";
import { apiForm, field, seg, submit } from "../form.ts";
import { when } from "../format.ts";
import type { Html } from "../layout.ts";
import { section } from "../parts.ts";
import { roleChips, statusChip } from "./chips.ts";
import { USERS_PATH } from "./list.ts";

export interface AssignableRole {
  name: string;
  display_name: string;
  assignable: boolean;
}

const isOwner = (u: Pick<UserView, "roles">) => u.roles.some((r) => r.name === "owner");

const details = (u: UserView): Html =>
  html`<p>${u.name} &lt;${u.email}&gt; ${statusChip(u.status)} ${roleChips(u)}</p><p class="muted">Signs in with ${u.login_type}; last seen ${when(u.last_seen_at)}.</p>`;

/** A one-button call on this user (`/api/v2/users/{id}` + `path`), reloading with `done` as the message. */
const action = (u: UserView, id: string, method: "PUT" | "DELETE", path: string, label: string, done: string, cls?: string) =>
  apiForm({ id, method, path: `/api/v2/users/${seg(u.id)}${path}`, successMessage: done, signedIn: true }, submit(label, cls));

function statusSection(u: UserView): Html {
  // Suspension is undone with one click (activate), so it is not confirmed; the user's keys survive it.
  // An owner cannot be suspended (put-user-status.ts): no button then.
  return section(
    "status",
    "Status",
    u.status === "suspended"
      ? action(u, "activate-form", "PUT", "/status/activate", `Activate ${u.username}`, `${u.username} is active again.`)
      : isOwner(u)
        ? html``
        : action(u, "suspend-form", "PUT", "/status/suspend", `Suspend ${u.username}`, `${u.username} is suspended.`, "danger"),
  );
}

/** An assignable role's checkbox, ticked when the user holds it. */
const roleBox = (r: AssignableRole, held: boolean): Html =>
  html`<div class="field inline"><input type="checkbox" id="role-${r.name}" name="roles" value="${r.name}" data-type="list"${
    held ? html` checked` : ""
  }><label for="role-${r.name}">${r.display_name}</label></div>`;

function rolesSection(u: UserView, roles: AssignableRole[]): Html {
  // Only the roles this actor may grant or revoke are offered. With Gatehouse's role tables that is every
  // site role (owner) or none (a user admin assigns only the implied member: no picker then; the user's
  // roles are in the chips above). PUT /roles replaces the whole set, so were a table ever to allow some
  // but not all, a held role left out would be a removal, which the API refuses with its message.
  const offered = roles.filter((r) => r.assignable);
  if (offered.length === 0) return html``;
  const held = new Set(u.roles.map((r) => r.name));
  return section(
    "roles",
    "Roles",
    apiForm(
      { id: "roles-form", method: "PUT", path: `/api/v2/users/${seg(u.id)}/roles`, successMessage: "Roles saved.", signedIn: true },
      html`<fieldset><legend>Site roles of ${u.username}</legend>${offered.map((r) => roleBox(r, held.has(r.name)))}</fieldset>${submit("Save roles")}`,
    ),
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
        successMessage: "Password changed: their sessions were signed out.",
        reset: true,
        signedIn: true,
        confirmDialog: {
          question: `Set a new password for ${u.username}? This signs them out.`,
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
      })}${submit("Reset password", "danger")}`,
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
          question: `Delete ${u.username}? This signs them out and removes their tokens.`,
          button: `Delete ${u.username}`,
        },
      },
      submit(`Delete ${u.username}`, "danger"),
    ),
  );
}

/** Why there are no controls, when there are none. */
function noControls(me: UserView, u: UserView): string | undefined {
  if (u.id === me.id) return "This is you.";
  if (isOwner(u) && !isOwner(me)) return "Only an owner can change an owner.";
  return undefined;
}

export async function userPage(app: InProcessApp, c: Context<AppEnv>, me: UserView, username: string) {
  const [user, roles] = await apiGetAll<[UserView, AssignableRole[]]>(app, c, [`/users/${seg(username)}`, "/users/roles"]);
  if (!user.ok) {
    return adminPage(c, me, USERS_PATH, username, apiErrorBox("user-error", user.status, user.body as never), user.status);
  }
  const u = user.body!;
  const why = noControls(me, u);
  const body = html`<h1>${u.username}</h1>
${details(u)}
${
  why
    ? html`<p class="note">${why}</p>`
    : html`${statusSection(u)}
${roles.ok ? rolesSection(u, roles.body!) : ""}
${passwordSection(u)}
${deleteSection(u)}`
}`;
  return adminPage(c, me, USERS_PATH, u.username, body);
}
