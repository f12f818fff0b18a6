// Account sections about what the person has: the Git SSH key (GET, PUT to regenerate), organizations
// (GET /users/me/organizations) and notification preferences (GET and PUT .../notifications/preferences).
import { html } from "hono/html";
import { NOTIFICATION_TEMPLATES } from "../../users/notifications/templates.ts";
import type { UserView } from "../../users/view.ts";
import { apiForm, submit } from "../form.ts";
import { when } from "../format.ts";
import type { Html } from "../layout.ts";
import { section } from "../parts.ts";

export interface SshKey {
  public_key: string;
  updated_at: string;
}

export function sshSection(key: SshKey | undefined): Html {
  return section(
    "ssh",
    "Git SSH key",
    html`<p>Add this public key to your Git provider. Last generated ${key ? when(key.updated_at) : "never"}.</p>
<code id="ssh-public-key" class="secret">${key?.public_key ?? ""}</code>
<div class="actions"><button type="button" data-copy="ssh-public-key" class="secondary" hidden data-needs-script>Copy public key</button>
<span id="ssh-public-key-copied" role="status"></span></div>
${apiForm(
  {
    id: "ssh-form",
    method: "PUT",
    path: "/api/v2/users/me/gitsshkey",
    success: "show-ssh-key",
    confirm: "Generate a new SSH key? The current one stops working wherever it was added.",
    signedIn: true,
  },
  submit("Regenerate key", "danger"),
)}`,
  );
}

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  is_default: boolean;
}

export function organizationsSection(orgs: Organization[]): Html {
  return section(
    "organizations",
    "Organizations",
    html`${
      orgs.length === 0
        ? html`<p>You are not a member of any organization.</p>`
        : html`<ul>${orgs.map((o) => html`<li>${o.display_name || o.name} <span class="muted">(${o.name})</span>${o.is_default ? html` <span class="chip">default</span>` : ""}</li>`)}</ul>`
    }`,
  );
}

export interface Preference {
  id: string;
  disabled: boolean;
}

const T = NOTIFICATION_TEMPLATES;
/**
 * Sent only to owners and user admins (src/users/notifications/events.ts, `userAdmins`): nobody else is
 * offered a switch for a notification they never get.
 */
const FOR_ADMINS: readonly string[] = [T.userAccountCreated, T.userAccountDeleted, T.userAccountSuspended, T.userAccountActivated].map(
  (t) => t.id,
);
const ADMIN_ROLES = ["owner", "user-admin"];

/** The templates `me` may turn off: those they receive, less the one-time passcode, which is always sent. */
function optionalTemplates(me: Pick<UserView, "roles">) {
  const admin = me.roles.some((r) => ADMIN_ROLES.includes(r.name));
  return Object.values(T).filter((t) => !t.mandatory && (admin || !FOR_ADMINS.includes(t.id)));
}

export function notificationsSection(me: Pick<UserView, "roles">, prefs: Preference[]): Html {
  const disabled = new Set(prefs.filter((p) => p.disabled).map((p) => p.id));
  return section(
    "notifications",
    "Notifications",
    apiForm(
      {
        id: "notifications-form",
        method: "PUT",
        path: "/api/v2/users/me/notifications/preferences",
        success: "message",
        successMessage: "Notification preferences saved.",
        signedIn: true,
      },
      html`<fieldset><legend>Send me these notifications</legend>
${optionalTemplates(me).map(
  (t) =>
    html`<div class="field inline"><input type="checkbox" id="notify-${t.id}" name="template_disabled_map.${t.id}" data-invert${
      disabled.has(t.id) ? "" : html` checked`
    }><label for="notify-${t.id}">${t.name}</label></div>`,
)}
</fieldset>
<p class="hint">One-time passcodes are always sent: without them a forgotten password cannot be reset.</p>
${submit("Save preferences")}`,
    ),
  );
}
