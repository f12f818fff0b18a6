// API tokens: create (POST /users/me/keys/tokens: name, lifetime, scopes from GET /auth/scopes), the new
// token shown once in this page only (never stored by the page; gone on navigation), the list
// (GET /users/me/keys/tokens) with last use and expiry, and delete (DELETE /users/me/keys/{id}).
import { html } from "hono/html";
import type { APIKeyView } from "../../keys/view.ts";
import { apiForm, field, seg, submit } from "../form.ts";
import { when } from "../format.ts";
import type { Html } from "../layout.ts";

export interface TokenData {
  tokens: APIKeyView[];
  /** GET /auth/scopes `external`: every name a token may ask for. */
  scopes: string[];
  /** GET .../tokenconfig, nanoseconds (rounded by JSON.parse: only compared, never sent back). */
  maxLifetimeNs: number;
}

const DAY_NS = 86_400e9;
const LIFETIMES = [7, 30, 60, 90, 365].map((days) => ({ days, ns: days * DAY_NS }));

function createForm(d: TokenData): Html {
  const lifetimes = LIFETIMES.filter((l) => l.ns <= d.maxLifetimeNs);
  return apiForm(
    { id: "token-form", method: "POST", path: "/api/v2/users/me/keys/tokens", success: "show-token", signedIn: true },
    html`${field({ id: "token-name", name: "token_name", label: "Token name", required: true, hint: "A name to recognise it by, unique among your tokens." })}
<div class="field"><label for="token-lifetime">Lifetime</label>
<select id="token-lifetime" name="lifetime" data-type="number" data-omit-empty aria-describedby="token-lifetime-error">
<option value="">The deployment's default</option>
${lifetimes.map((l) => html`<option value="${l.ns}"${l.days === 30 ? html` selected` : ""}>${l.days} days</option>`)}
</select><p class="field-error" id="token-lifetime-error"></p></div>
<details><summary>Scopes (optional: without any, the token can do everything you can)</summary>
<fieldset><legend>Scopes</legend><div class="choices">
${d.scopes.map(
  (s, i) =>
    html`<div class="field inline"><input type="checkbox" id="scope-${i}" name="scopes" value="${s}" data-type="list"><label for="scope-${i}">${s}</label></div>`,
)}
</div></fieldset></details>
${submit("Create token")}`,
  );
}

/** The new token, filled in by console.js from the API's answer; empty in every render. */
const newTokenPanel = html`<div id="new-token" role="region" aria-labelledby="new-token-h" hidden>
<h3 id="new-token-h">Your new token</h3>
<p>Copy it now: it is shown only this once.</p>
<code id="new-token-value" class="secret"></code>
<div class="actions"><button type="button" data-copy="new-token-value">Copy token</button>
<span id="new-token-value-copied" role="status"></span></div>
</div>`;

function tokenList(tokens: APIKeyView[]): Html {
  if (tokens.length === 0) return html`<div id="tokens"><p>No tokens yet.</p></div>`;
  return html`<div id="tokens"><table>
<caption class="muted">${tokens.length} token${tokens.length === 1 ? "" : "s"}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${tokens.map(
    (t) => html`<tr>
<td data-label="Name">${t.token_name}</td>
<td data-label="Scopes">${t.scopes.join(", ")}</td>
<td data-label="Last used">${when(t.last_used)}</td>
<td data-label="Expires">${when(t.expires_at)}</td>
<td>${apiForm(
      {
        id: `delete-token-${t.id}`,
        method: "DELETE",
        path: `/api/v2/users/me/keys/${seg(t.id)}`,
        confirm: `Delete the token "${t.token_name}"? Anything using it stops working.`,
        success: "refresh",
        refresh: ["tokens"],
        successMessage: `Token "${t.token_name}" deleted.`,
        signedIn: true,
      },
      html`<button type="submit" class="danger" aria-label="Delete token ${t.token_name}">Delete</button>`,
    )}</td></tr>`,
  )}</tbody></table></div>`;
}

export function tokensSection(d: TokenData): Html {
  return html`<section id="api-tokens" aria-labelledby="tokens-h">
<h2 id="tokens-h">API tokens</h2>
${createForm(d)}
${newTokenPanel}
${tokenList(d.tokens)}
</section>`;
}
