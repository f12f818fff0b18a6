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

function searchForm(q: string, filters: Record<QuickKey, string>, invalid: boolean): Html {
  return html`<form method="get" action="${AUDIT_PATH}" role="search" aria-label="Audit log" class="search">
<div class="field"><label for="audit-q">Search the audit log</label>
<p class="hint" id="audit-q-hint">Terms: <code>username:alice</code> (or <code>username:me</code>), <code>email:…</code>,
<code>action:delete</code>, <code>resource_type:api_key</code>, <code>status:401</code> or <code>status:4xx</code>.</p>
<input id="audit-q" name="q" type="search" value="${q}" aria-describedby="audit-q-hint"${invalid ? html` aria-invalid="true"` : ""}></div>
<div class="filters">${(Object.keys(QUICK_FILTERS) as QuickKey[]).map(
    (key) => html`<div class="field"><label for="audit-${key}">${LABELS[key]}</label>
<select id="audit-${key}" name="${key}"><option value="">Any</option>${QUICK_FILTERS[key].map(
      (v) => html`<option value="${v}"${filters[key] === v ? html` selected` : ""}>${v}</option>`,
    )}</select></div>`,
  )}</div>
<button type="submit">Filter</button>
</form>`;
}

function value(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function diffOf(log: AuditLog): Html {
  const fields = Object.entries(log.diff ?? {});
  if (fields.length === 0) return html`<span class="muted">none</span>`;
  return html`<details><summary>${fields.length} field${fields.length === 1 ? "" : "s"}</summary>
<dl class="diff">${fields.map(
    ([name, d]) =>
      html`<dt>${name}</dt><dd>${d.secret ? html`<span class="chip">secret</span>` : html`${value(d.old)} → ${value(d.new)}`}</dd>`,
  )}</dl></details>`;
}

const statusClass = (code: number) => (code >= 500 ? "status-error" : code >= 400 ? "status-refused" : "status-ok");

function rows(logs: AuditLog[]): Html {
  if (logs.length === 0) return html`<p>No audit entry matches.</p>`;
  return html`<table>
<thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">IP</th><th scope="col">Changes</th></tr></thead>
<tbody>${logs.map(
    (l) => html`<tr>
<td data-label="Time"><time datetime="${l.time}">${when(l.time)}</time></td>
<td data-label="Actor">${l.user ? l.user.username : html`<span class="muted">nobody</span>`}</td>
<td data-label="Action">${l.action}</td>
<td data-label="Target">${l.resource_type}${l.resource_target ? html` <strong>${l.resource_target}</strong>` : ""}</td>
<td data-label="Status"><span class="chip ${statusClass(l.status_code)}">${l.status_code}</span></td>
<td data-label="IP">${l.ip || "—"}</td>
<td data-label="Changes">${diffOf(l)}</td>
</tr>`,
  )}</tbody></table>`;
}

function pager(q: string, filters: Record<QuickKey, string>, offset: number, shown: number, count: number): Html {
  const href = (o: number) => {
    const p = new URLSearchParams();
    if (q) p.set("q", q);
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
    if (o > 0) p.set("offset", String(o));
    const s = p.toString();
    return s ? `${AUDIT_PATH}?${s}` : AUDIT_PATH;
  };
  const links: Html[] = [];
  if (offset > 0) links.push(html`<a href="${href(Math.max(0, offset - AUDIT_PAGE_SIZE))}" rel="prev">Previous page</a>`);
  if (offset + shown < count) links.push(html`<a href="${href(offset + AUDIT_PAGE_SIZE)}" rel="next">Next page</a>`);
  return html`<nav class="pager" aria-label="Pages of the audit log"><span class="muted">${
    shown === 0 ? "0" : `${offset + 1}–${offset + shown}`
  } of ${count}</span>${links}</nav>`;
}

async function auditPage(c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const filters = quick(c);
  const rawOffset = c.req.query("offset") ?? "";
  const offset = /^\d{1,9}$/.test(rawOffset) ? Number(rawOffset) : 0;
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  const query = auditQuery(q, filters);
  if (query) params.set("q", query);
  if (offset) params.set("offset", String(offset));
  const res = await apiGet<{ audit_logs: AuditLog[]; count: number } & ApiErrorBody>(c, `/audit?${params}`);
  const body = html`<h1>Audit log</h1>
${searchForm(q, filters, !res.ok)}
${
  res.ok
    ? html`<section id="audit" aria-labelledby="audit-h"><h2 id="audit-h">${res.body!.count} entr${res.body!.count === 1 ? "y" : "ies"}</h2>
${rows(res.body!.audit_logs)}
${pager(q, filters, offset, res.body!.audit_logs.length, res.body!.count)}</section>`
    : apiErrorBox("audit-error", "The search could not run", res.status, res.body)
}`;
  const status = res.ok ? 200 : res.status === 400 || res.status === 403 ? res.status : 200;
  return page(c, layout({ title: "Audit log", me, current: AUDIT_PATH, theme: me.theme_preference, body }), status);
}

export function mountAudit(app: Router): void {
  app.get(AUDIT_PATH, async (c) => {
    const access = await requireSection(c, AUDIT_PATH);
    return access.me ? auditPage(c, access.me) : access.refusal;
  });
}
