// /audit: GET /audit for owners and auditors. The search box's `q` goes to the API unchanged, with the quick
// filters (action, resource type, status class) added as the API's own `key:value` terms, so the API alone
// decides what is valid and its message is what the page shows. Offset paging; each row's diff is in a
// <details>, a secret field shown only as "secret".
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../deps.ts";
import type { Router } from "../http/router.ts";
import type { UserView } from "../users/view.ts";
import { requireSection } from "./access.ts";
import { apiGet } from "./api.ts";
import { apiErrorBox, type ApiErrorBody } from "./api-error.ts";
import { when } from "./format.ts";
import { type Html, layout } from "./layout.ts";
import { href, pager, searchForm, section, table } from "./parts.ts";
import { page } from "./respond.ts";

export const AUDIT_PATH = "/audit";
export const AUDIT_PAGE_SIZE = 50;

interface DiffField {
  old?: unknown;
  new?: unknown;
  secret: boolean;
}
interface AuditLog {
  id: string;
  time: string;
  ip: string;
  user_agent: string;
  resource_type: string;
  resource_target: string;
  action: string;
  status_code: number;
  diff: Record<string, DiffField>;
  user: UserView | null;
}

/** The quick filters: the values Gatehouse writes (src/audit/actions.ts), each one a `key:value` term. */
export const QUICK_FILTERS = {
  action: ["create", "write", "delete", "login", "logout", "request_password_reset"],
  resource_type: ["user", "api_key", "git_ssh_key"],
  status: ["2xx", "4xx", "5xx"],
} as const;
type QuickKey = keyof typeof QUICK_FILTERS;
const LABELS: Record<QuickKey, string> = { action: "Action", resource_type: "Resource type", status: "Status" };

/** Only a listed value becomes a term: anything else in the query string is dropped, not passed on. */
function quick(c: Context<AppEnv>): Record<QuickKey, string> {
  const out = {} as Record<QuickKey, string>;
  for (const key of Object.keys(QUICK_FILTERS) as QuickKey[]) {
    const v = c.req.query(key) ?? "";
    out[key] = (QUICK_FILTERS[key] as readonly string[]).includes(v) ? v : "";
  }
  return out;
}

/** The `q` sent to the API: the person's own words, then a term per chosen quick filter. */
export function auditQuery(q: string, filters: Record<QuickKey, string>): string {
  const terms = (Object.keys(filters) as QuickKey[]).filter((k) => filters[k]).map((k) => `${k}:${filters[k]}`);
  return [q.trim(), ...terms].filter(Boolean).join(" ");
}

const HINT = html`Terms such as <code>username:alice</code> (or <code>me</code>), <code>email:…</code>, <code>status:401</code>.`;

function filters(chosen: Record<QuickKey, string>): Html {
  return html`<div class="filters">${(Object.keys(QUICK_FILTERS) as QuickKey[]).map(
    (key) =>
      html`<div class="field"><label for="audit-${key}">${LABELS[key]}</label><select id="audit-${key}" name="${key}"><option value="">Any</option>${QUICK_FILTERS[
        key
      ].map((v) => html`<option${chosen[key] === v ? html` selected` : ""}>${v}</option>`)}</select></div>`,
  )}</div>`;
}

const shown = (v: unknown) => (v === undefined || v === null || v === "" ? "—" : typeof v === "string" ? v : JSON.stringify(v));

function diffOf(log: AuditLog): Html {
  const fields = Object.entries(log.diff ?? {});
  if (fields.length === 0) return html`<span class="muted">none</span>`;
  return html`<details><summary>${fields.length} field${fields.length === 1 ? "" : "s"}</summary><dl class="diff">${fields.map(
    ([name, d]) =>
      html`<dt>${name}</dt><dd>${d.secret ? html`<span class="chip">secret</span>` : `${shown(d.old)} → ${shown(d.new)}`}</dd>`,
  )}</dl></details>`;
}

const statusClass = (code: number) => (code >= 500 ? "error" : code >= 400 ? "refused" : "ok");

function rows(logs: AuditLog[]): Html {
  if (logs.length === 0) return html`<p>No audit entry matches.</p>`;
  return table(
    ["Time", "Actor", "Action", "Target", "Status", "IP", "Changes"],
    logs.map((l) => [
      html`<time datetime="${l.time}">${when(l.time)}</time>`,
      l.user ? html`${l.user.username}` : html`<span class="muted">nobody</span>`,
      html`${l.action}`,
      html`${l.resource_type} <strong>${l.resource_target}</strong>`,
      html`<span class="chip status-${statusClass(l.status_code)}">${l.status_code}</span>`,
      html`${l.ip || "—"}`,
      diffOf(l),
    ]),
  );
}

async function auditPage(c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const chosen = quick(c);
  const offset = Number(c.req.query("offset")) || 0;
  const res = await apiGet<{ audit_logs: AuditLog[]; count: number } & ApiErrorBody>(
    c,
    href("/audit", { q: auditQuery(q, chosen), offset: offset || undefined, limit: AUDIT_PAGE_SIZE }),
  );
  let result: Html;
  if (res.ok) {
    const { audit_logs: logs, count } = res.body!;
    const at = (o: number) => href(AUDIT_PATH, { q, ...chosen, offset: o || undefined });
    const links: Html[] = [html`<span class="muted">${logs.length ? `${offset + 1}–${offset + logs.length}` : "0"} of ${count}</span>`];
    if (offset > 0) links.push(html`<a href="${at(Math.max(0, offset - AUDIT_PAGE_SIZE))}" rel="prev">Previous page</a>`);
    if (offset + logs.length < count) links.push(html`<a href="${at(offset + AUDIT_PAGE_SIZE)}" rel="next">Next page</a>`);
    result = section("audit", `${count} entr${count === 1 ? "y" : "ies"}`, html`${rows(logs)}${pager("Pages of the audit log", links)}`);
  } else result = apiErrorBox("audit-error", "The search could not run", res.status, res.body);
  const body = html`<h1>Audit log</h1>
${searchForm({ path: AUDIT_PATH, id: "audit-q", label: "Search the audit log", hint: HINT, q, invalid: !res.ok, extra: filters(chosen) })}
${result}`;
  const status = res.ok ? 200 : res.status === 400 || res.status === 403 ? res.status : 200;
  return page(c, layout({ title: "Audit log", me, current: AUDIT_PATH, theme: me.theme_preference, body }), status);
}

export function mountAudit(app: Router): void {
  app.get(AUDIT_PATH, async (c) => {
    const access = await requireSection(c, AUDIT_PATH);
    return access.me ? auditPage(c, access.me) : access.refusal;
  });
}
