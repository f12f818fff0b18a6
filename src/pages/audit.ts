// /audit: GET /audit for owners and auditors. The search box's `q` goes to the API unchanged, so the API
// alone decides what is valid and its message is what the page shows (the hint gives the filter terms:
// separate quick-filter controls did not fit the Worker's bundle budget). Offset paging; each row's diff is
// in a <details>, a secret field shown only as "secret".
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../deps.ts";
import type { Router } from "../http/router.ts";
import type { UserView } from "../users/view.ts";
import { adminPage, requireSection } from "./access.ts";
import { apiGet, type InProcessApp } from "./api.ts";
import { apiErrorBox, type ApiErrorBody } from "./api-error.ts";
import { when } from "./format.ts";
import type { Html } from "./layout.ts";
import { href, pager, searchForm, section, table } from "./parts.ts";

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

const HINT = "Terms such as action:delete resource_type:user username:me email:… status:4xx";

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
  if (logs.length === 0) return html`<p>None.</p>`;
  return table(
    ["Time", "Actor", "Action", "Target", "Status", "IP", "Changes"],
    logs.map((l) => [
      html`<time datetime="${l.time}">${when(l.time)}</time>`,
      html`${l.user?.username ?? "—"}`,
      html`${l.action}`,
      html`${l.resource_type} <strong>${l.resource_target}</strong>`,
      html`<span class="chip status-${statusClass(l.status_code)}">${l.status_code}</span>`,
      html`${l.ip || "—"}`,
      diffOf(l),
    ]),
  );
}

async function auditPage(app: InProcessApp, c: Context<AppEnv>, me: UserView) {
  const q = c.req.query("q") ?? "";
  const offset = Number(c.req.query("offset")) || 0;
  const res = await apiGet<{ audit_logs: AuditLog[]; count: number } & ApiErrorBody>(
    app,
    c,
    href("/audit", { q, offset: offset || undefined, limit: AUDIT_PAGE_SIZE }),
  );
  let result: Html;
  if (res.ok) {
    const { audit_logs: logs, count } = res.body!;
    const at = (o: number) => href(AUDIT_PATH, { q, offset: o || undefined });
    const links: Html[] = [];
    if (offset > 0) links.push(html`<a href="${at(Math.max(0, offset - AUDIT_PAGE_SIZE))}" rel="prev">Previous page</a>`);
    if (offset + logs.length < count) links.push(html`<a href="${at(offset + AUDIT_PAGE_SIZE)}" rel="next">Next page</a>`);
    result = section("audit", `${count} found`, html`${rows(logs)}${pager("Pages of the audit log", links)}`);
  } else result = apiErrorBox("audit-error", res.status, res.body);
  const body = html`<h1>Audit log</h1>
${searchForm({ path: AUDIT_PATH, id: "audit-q", label: "Search the audit log", hint: HINT, q, invalid: !res.ok })}
${result}`;
  return adminPage(c, me, AUDIT_PATH, "Audit log", body, res.status);
}

export function mountAudit(app: Router): void {
  app.get(AUDIT_PATH, async (c) => {
    const access = await requireSection(app, c, AUDIT_PATH);
    return access.me ? auditPage(app, c, access.me) : access.refusal;
  });
}
