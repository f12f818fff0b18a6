// /users: GET /users with the person's `q` passed through unchanged (the API owns the search language and
// its validation messages), keyset paging (after_id and limit: one row more is asked for, to know whether
// there is a next page), and the create-user form (POST /users).
import type { Context } from "hono";
import { html } from "hono/html";
import { NIL_UUID } from "../../compat/go-parse.ts";
import type { AppEnv } from "../../deps.ts";
import type { UserView } from "../../users/view.ts";
import { adminPage } from "../access.ts";
import { apiGet, type AuthMethods, type InProcessApp } from "../api.ts";
import { apiErrorBox, type ApiErrorBody } from "../api-error.ts";
import { apiForm, field, newPasswordField, seg, submit } from "../form.ts";
import { when } from "../format.ts";
import type { Html } from "../layout.ts";
import { href, pager, searchForm, section, table } from "../parts.ts";
import { roleChips, statusChip } from "./chips.ts";

export const USERS_PATH = "/users";
export const DEFAULT_PAGE_SIZE = 25;

const HINT = "Username or email, and filters such as status:active role:owner login_type:oidc";

function createForm(methods: AuthMethods | undefined): Html {
  // The login types POST /users accepts ("none" is only for service accounts, a Premium feature the API
  // refuses), a provider only where it is configured: nobody could sign in as a GitHub user on a deployment
  // without GitHub. The user joins the default organization, which POST /users names by the nil UUID
  // (Coder's codersdk.CreateUserRequestWithOrgs).
  const loginTypes = ["password", ...(["github", "oidc"] as const).filter((p) => methods?.[p].enabled)];
  return html`<details id="create-user" class="panel"><summary>Create a user</summary>
${apiForm(
  {
    id: "create-user-form",
    method: "POST",
    path: "/api/v2/users",
    successMessage: "User created.",
    signedIn: true,
    label: "Create a user",
  },
  html`${field({ id: "new-email", name: "email", label: "Email", type: "email", required: true })}
${field({ id: "new-username", name: "username", label: "Username", required: true })}
${field({ id: "new-name", name: "name", label: "Full name (optional)", omitEmpty: true })}
<div class="field"><label for="new-login-type">Sign-in method</label><select id="new-login-type" name="login_type">${loginTypes.map((t) => html`<option>${t}</option>`)}</select></div>
${newPasswordField({ id: "new-password", name: "password", label: "Password", omitEmpty: true })}
<input type="hidden" name="organization_ids" value="${NIL_UUID}" data-type="list">
${submit("Create user")}`,
)}</details>`;
}

export async function usersPage(app: InProcessApp, c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const afterId = c.req.query("after_id") ?? "";
  // The page's own knob; a value the API refuses (negative, too big) comes back as its message.
  const limit = Number(c.req.query("limit")) || DEFAULT_PAGE_SIZE;
  const [list, methods] = await Promise.all([
    apiGet<{ users: UserView[]; count: number } & ApiErrorBody>(app, c, href("/users", { q, after_id: afterId, limit: limit + 1 })),
    apiGet<AuthMethods>(app, c, "/users/authmethods"),
  ]);
  let result: Html;
  if (list.ok) {
    const { users: rows, count } = list.body!;
    const users = rows.slice(0, limit);
    const last = users.at(-1);
    const keep = { q, limit: limit === DEFAULT_PAGE_SIZE ? undefined : limit };
    const links: Html[] = [];
    // Keyset paging walks forward only: "first page" is the way back.
    if (afterId) links.push(html`<a href="${href(USERS_PATH, keep)}">First page</a>`);
    if (rows.length > limit && last)
      links.push(html`<a href="${href(USERS_PATH, { ...keep, after_id: last.id })}" rel="next">Next page</a>`);
    result = section(
      "users",
      `${count} found`,
      html`${
        users.length
          ? table(
              ["User", "Email", "Status", "Roles", "Last seen"],
              users.map((u) => [
                html`<a href="${USERS_PATH}/${seg(u.username)}">${u.username}</a> <span class="muted">${u.name}</span>`,
                html`${u.email}`,
                statusChip(u.status),
                roleChips(u),
                html`${when(u.last_seen_at)}`,
              ]),
            )
          : html`<p>None.</p>`
      }${pager("Pages of users", links)}`,
    );
  } else result = apiErrorBox("users-error", list.status, list.body);
  const body = html`<h1>Users</h1>
${searchForm({ path: USERS_PATH, id: "users-q", label: "Search users", hint: HINT, q, invalid: !list.ok })}
${result}
${createForm(methods.ok ? methods.body : undefined)}`;
  return adminPage(c, me, USERS_PATH, "Users", body, list.status);
}
