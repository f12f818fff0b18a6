// Markup the administration pages share: a GET search form, a table that becomes labelled cards on a
// phone (each cell carries its column's name, console.css), a titled section, a pager, query-string links.
import { html } from "hono/html";
import type { Html } from "./layout.ts";

/** `path?params`, empty and undefined values left out. */
export function href(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A plain GET form (no script needed) whose box is `q`; a refused query marks it invalid. */
export function searchForm(o: { path: string; id: string; label: string; hint: string; q: string; invalid: boolean }): Html {
  return html`<form method="get" action="${o.path}" role="search" class="search">
<div class="field"><label for="${o.id}">${o.label}</label><p class="hint" id="${o.id}-hint">${o.hint}</p>
<input id="${o.id}" name="q" type="search" value="${o.q}" aria-describedby="${o.id}-hint"${o.invalid ? html` aria-invalid="true"` : ""}></div>
<button type="submit">Search</button></form>`;
}

export function table(columns: string[], rows: Html[][]): Html {
  return html`<table><thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((cell, i) => html`<td data-label="${columns[i]}">${cell}</td>`)}</tr>`)}</tbody></table>`;
}

export const section = (id: string, title: Html | string, body: Html): Html =>
  html`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${body}</section>`;

export const pager = (label: string, items: Html[]): Html => html`<nav class="pager" aria-label="${label}">${items}</nav>`;
