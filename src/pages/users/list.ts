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
import { page } from "../respond.ts";
import { roleChips, statusChip } from "./chips.ts";

export const USERS_PATH = "/users";
export const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

interface Organization {
  id: string;
  name: string;
  display_name: string;
  is_default: boolean;
}
interface AuthMethods {
  password: { enabled: boolean };
  github: { enabled: boolean };
  oidc: { enabled: boolean };
}

/** The page size from `?limit=`: a whole number from 1 to 100, else the default (it is the page's own knob). */
export function pageSize(raw: string | undefined): number {
  const n = raw && /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  return n >= 1 && n <= MAX_PAGE_SIZE ? n : DEFAULT_PAGE_SIZE;
}

/** A link to this page with these parameters (empty ones left out). */
function usersHref(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${USERS_PATH}?${s}` : USERS_PATH;
}

function searchForm(q: string, invalid: boolean): Html {
  return html`<form method="get" action="${USERS_PATH}" role="search" aria-label="Users" class="search">
<div class="field"><label for="users-q">Search users</label>
<p class="hint" id="users-q-hint">Words match username or email; filters: <code>status:active</code>, <code>role:owner</code>,
<code>login_type:password</code>, <code>name:"Ann Lee"</code>, <code>created_after:2026-01-01T00:00:00Z</code>.</p>
<div class="inline-input"><input id="users-q" name="q" type="search" value="${q}" aria-describedby="users-q-hint"${
    invalid ? html` aria-invalid="true"` : ""
  }>
<button type="submit">Search</button></div></div>
</form>`;
}

function userRows(users: UserView[]): Html {
  if (users.length === 0) return html`<p>No user matches.</p>`;
  return html`<table>
<thead><tr><th scope="col">User</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Roles</th><th scope="col">Last seen</th></tr></thead>
<tbody>${users.map(
    (u) => html`<tr>
<td data-label="User"><a href="${USERS_PATH}/${seg(u.username)}">${u.username}</a>${u.name ? html` <span class="muted">${u.name}</span>` : ""}</td>
<td data-label="Email">${u.email}</td>
<td data-label="Status">${statusChip(u.status)}</td>
<td data-label="Roles">${roleChips(u)}</td>
<td data-label="Last seen">${when(u.last_seen_at)}</td>
</tr>`,
  )}</tbody></table>`;
}

function pager(o: { q: string; limit: number; afterId: string; last: UserView | undefined; more: boolean }): Html {
  const limit = o.limit === DEFAULT_PAGE_SIZE ? undefined : o.limit;
  const links: Html[] = [];
  // Keyset paging walks forward only: "first page" is the way back.
  if (o.afterId) links.push(html`<a href="${usersHref({ q: o.q, limit })}">First page</a>`);
  if (o.more && o.last) links.push(html`<a href="${usersHref({ q: o.q, limit, after_id: o.last.id })}" rel="next">Next page</a>`);
  return links.length ? html`<nav class="pager" aria-label="Pages of users">${links}</nav>` : html``;
}

function createForm(orgs: Organization[], methods: AuthMethods | undefined): Html {
  // The login types POST /users accepts here: password, and the providers this deployment has configured.
  // ("none" is only for service accounts, a Premium feature the API refuses.)
  const types = [
    ["password", "Password"],
    ...(methods?.github.enabled ? [["github", "GitHub"]] : []),
    ...(methods?.oidc.enabled ? [["oidc", "OpenID Connect"]] : []),
  ];
  return html`<details id="create-user" class="panel">
<summary>Create a user</summary>
${apiForm(
  {
    id: "create-user-form",
    method: "POST",
    path: "/api/v2/users",
    success: "reload",
    successMessage: "User created.",
    signedIn: true,
    label: "Create a user",
  },
  html`${field({ id: "new-email", name: "email", label: "Email", type: "email", autocomplete: "off", required: true })}
${field({ id: "new-username", name: "username", label: "Username", autocomplete: "off", required: true, hint: "Letters, digits and single hyphens; at most 32 characters." })}
${field({ id: "new-name", name: "name", label: "Full name (optional)", autocomplete: "off", omitEmpty: true })}
<div class="field"><label for="new-login-type">Sign-in method</label>
<select id="new-login-type" name="login_type" aria-describedby="new-login-type-error">${types.map(
    ([v, label]) => html`<option value="${v}">${label}</option>`,
  )}</select><p class="field-error" id="new-login-type-error"></p></div>
${field({
  id: "new-password",
  name: "password",
  label: "Password",
  type: "password",
  autocomplete: "new-password",
  omitEmpty: true,
  hint: "For the password sign-in method; leave empty for GitHub or OpenID Connect.",
  attrs: html` data-validate-password="new-password-strength"`,
})}
<p id="new-password-strength" class="strength" aria-live="polite"></p>
<div class="field"><label for="new-org">Organization</label>
<select id="new-org" name="organization_ids" data-type="list" aria-describedby="new-org-error">${orgs.map(
    (o) => html`<option value="${o.id}"${o.is_default ? html` selected` : ""}>${o.display_name || o.name}</option>`,
  )}</select><p class="field-error" id="new-org-error"></p></div>
${submit("Create user")}`,
)}
</details>`;
}

export async function usersPage(c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const afterId = c.req.query("after_id") ?? "";
  const limit = pageSize(c.req.query("limit"));
  const query = new URLSearchParams({ limit: String(limit + 1) });
  if (q) query.set("q", q);
  if (afterId) query.set("after_id", afterId);
  const [list, orgs, methods] = await apiGetAll<[{ users: UserView[]; count: number } & ApiErrorBody, Organization[], AuthMethods]>(c, [
    `/users?${query}`,
    "/users/me/organizations",
    "/users/authmethods",
  ]);
  const users = list.ok ? list.body!.users.slice(0, limit) : [];
  const more = list.ok && list.body!.users.length > limit;
  const body = html`<h1>Users</h1>
${searchForm(q, !list.ok)}
${
  list.ok
    ? html`<section id="users" aria-labelledby="users-h">
<h2 id="users-h">${list.body!.count} user${list.body!.count === 1 ? "" : "s"}${q ? html` matching <q>${q}</q>` : ""}</h2>
${userRows(users)}
${pager({ q, limit, afterId, last: users.at(-1), more })}
</section>`
    : apiErrorBox("users-error", "The search could not run", list.status, list.body)
}
${createForm(orgs.ok ? orgs.body! : [], methods.body)}`;
  const status = list.ok ? 200 : list.status === 400 || list.status === 403 ? list.status : 200;
  return page(c, layout({ title: "Users", me, current: USERS_PATH, theme: me.theme_preference, body }), status);
}
