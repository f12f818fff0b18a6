// An API refusal shown on a server-rendered page: the API's own message, detail and validations, never the
// raw body; a page that got no Coder error body says so by status.
import { html } from "hono/html";
import type { Html } from "./layout.ts";

export interface ApiErrorBody {
  message?: string;
  detail?: string;
  validations?: { field: string; detail: string }[];
}

export function apiErrorBox(id: string, status: number, body: ApiErrorBody | undefined): Html {
  const message = typeof body?.message === "string" && body.message ? body.message : `The request failed (HTTP ${status}).`;
  const validations = Array.isArray(body?.validations) ? body.validations : [];
  return html`<div id="${id}" class="status error" role="alert">
<p>${message}${body?.detail ? ` ${body.detail}` : ""}</p>
${validations.length ? html`<ul>${validations.map((v) => html`<li>${v.field}: ${v.detail}</li>`)}</ul>` : ""}
</div>`;
}
