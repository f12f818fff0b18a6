// Status and role chips, shared by the user list and a user's page. The status is also said in words, so
// the colour is never the only sign.
import { html } from "hono/html";
import type { UserView } from "../../users/view.ts";
import type { Html } from "../layout.ts";

export const statusChip = (status: UserView["status"]): Html => html`<span class="chip status-${status}">${status}</span>`;

/** Each site role by its display name; a person with none is a member. */
export function roleChips(user: Pick<UserView, "roles">): Html {
  if (user.roles.length === 0) return html`<span class="chip">Member</span>`;
  return html`${user.roles.map((r) => html`<span class="chip role">${r.display_name || r.name}</span> `)}`;
}
