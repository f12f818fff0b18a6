// /users: GET /users with the person's `q` passed through unchanged (the API owns the search language and
// its validation messages), keyset paging (after_id and limit: one row more is asked for, to know whether
// there is a next page), and the create-user form (POST /users).
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../deps.ts";
import type { UserView } from "../../users/view.ts";
import { apiGetAll } from "../api.ts";
import { apiErrorBox, type ApiErrorBody } from "../api-error.ts";
import { apiForm, field, seg, submit } from "../form.ts";
import { when } from "../format.ts";
import { type Html, layout } from "../layout.ts";
import { href, pager, searchForm, section, table } from "../parts.ts";
import { page } from "../respond.ts";
import { roleChips, statusChip } from "./chips.ts";

export const USERS_PATH = "/users";
export const DEFAULT_PAGE_SIZE = 25;

interface Organization {
  id: string;
  name: string;
  display_name: string;
  is_default: boolean;
}
interface AuthMethods {
  github: { enabled: boolean };
  oidc: { enabled: boolean };
}

/** The page size from `?limit=`: a whole number from 1 to 100, else the default (it is the page's own knob). */
export function pageSize(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : DEFAULT_PAGE_SIZE;
}

const HINT = html`Words match username or email; filters such as <code>status:active</code>, <code>role:owner</code>,
<code>login_type:password</code>, <code>name:"Ann Lee"</code>.`;

function select(id: string, name: string, label: string, options: Html[], attrs: Html | string = ""): Html {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${name}"${attrs}>${options}</select></div>`;
}

function createForm(orgs: Organization[], methods: AuthMethods | undefined): Html {
  // The login types POST /users accepts here: password, and the providers this deployment has configured.
  // ("none" is only for service accounts, a Premium feature the API refuses.)
  const types = [["password", "Password"]];
  if (methods?.github.enabled) types.push(["github", "GitHub"]);
  if (methods?.oidc.enabled) types.push(["oidc", "OpenID Connect"]);
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
${select(
  "new-login-type",
  "login_type",
  "Sign-in method",
  types.map(([v, l]) => html`<option value="${v}">${l}</option>`),
)}
${field({
  id: "new-password",
  name: "password",
  label: "Password",
  type: "password",
  autocomplete: "new-password",
  omitEmpty: true,
  hint: "Only for the password sign-in method.",
  attrs: html` data-validate-password="new-password-strength"`,
})}
<p id="new-password-strength" class="strength" aria-live="polite"></p>
${select(
  "new-org",
  "organization_ids",
  "Organization",
  orgs.map((o) => html`<option value="${o.id}"${o.is_default ? html` selected` : ""}>${o.display_name || o.name}</option>`),
  html` data-type="list"`,
)}
${submit("Create user")}`,
)}</details>`;
}

export async function usersPage(c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const afterId = c.req.query("after_id") ?? "";
  const limit = pageSize(c.req.query("limit"));
  const [list, orgs, methods] = await apiGetAll<[{ users: UserView[]; count: number } & ApiErrorBody, Organization[], AuthMethods]>(c, [
    href("/users", { q, after_id: afterId, limit: limit + 1 }),
    "/users/me/organizations",
    "/users/authmethods",
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
      html`${count} user${count === 1 ? "" : "s"}${q ? html` matching <q>${q}</q>` : ""}`,
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
          : html`<p>No user matches.</p>`
      }${pager("Pages of users", links)}`,
    );
  } else result = apiErrorBox("users-error", "The search could not run", list.status, list.body);
  const body = html`<h1>Users</h1>
${searchForm({ path: USERS_PATH, id: "users-q", label: "Search users", hint: HINT, q, invalid: !list.ok })}
${result}
${createForm(orgs.ok ? orgs.body! : [], methods.body)}`;
  const status = list.ok ? 200 : list.status === 400 || list.status === 403 ? list.status : 200;
  return page(c, layout({ title: "Users", me, current: USERS_PATH, theme: me.theme_preference, body }), status);
}
