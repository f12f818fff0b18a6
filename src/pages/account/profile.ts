// Account sections about the person: profile (PUT /users/me/profile), password (PUT /users/me/password)
// and appearance (PUT /users/me/appearance).
import { html } from "hono/html";
import { TERMINAL_FONTS } from "../../users/settings/appearance.ts";
import type { AppearanceView } from "../../users/settings/appearance.ts";
import type { UserView } from "../../users/view.ts";
import { apiForm, field, newPasswordField, submit } from "../form.ts";
import type { Html } from "../layout.ts";
import { section } from "../parts.ts";

/** Renaming is an administrator's act (user:update); PUT /profile refuses it to a member. */
const RENAMERS = ["owner", "user-admin"];

export function profileSection(me: UserView): Html {
  const mayRename = me.roles.some((r) => RENAMERS.includes(r.name));
  return section(
    "profile",
    "Profile",
    apiForm(
      {
        id: "profile-form",
        method: "PUT",
        path: "/api/v2/users/me/profile",
        success: "reload",
        successMessage: "Profile saved.",
        signedIn: true,
      },
      html`${field({ id: "profile-email", name: "email", label: "Email", value: me.email, readonly: true, attrs: html` data-skip` })}
${field({
  id: "profile-username",
  name: "username",
  label: "Username",
  value: me.username,
  autocomplete: "username",
  readonly: !mayRename,
  hint: mayRename ? undefined : "Only an administrator can change a username.",
})}
${field({ id: "profile-name", name: "name", label: "Full name", value: me.name, autocomplete: "name" })}
<p class="hint">Signs in with: ${me.login_type}. Roles: ${me.roles.map((r) => r.display_name).join(", ") || "member"}.</p>
${submit("Save profile")}`,
    ),
  );
}

export function passwordSection(me: UserView): Html {
  if (me.login_type !== "password") return html``;
  return section(
    "password",
    "Password",
    apiForm(
      {
        id: "password-form",
        method: "PUT",
        path: "/api/v2/users/me/password",
        // A new password ends every session of the account, this one included: sign in again.
        success: "reload",
        successMessage: "Password changed. Every session was signed out: sign in with the new password.",
        signedIn: true,
      },
      html`${field({ id: "old-password", name: "old_password", label: "Current password", type: "password", autocomplete: "current-password" })}
${newPasswordField({ id: "new-password", name: "password", label: "New password" })}
${submit("Change password")}`,
    ),
  );
}

const THEMES = [
  ["auto", "Follow the system"],
  ["light", "Light"],
  ["dark", "Dark"],
] as const;

export function appearanceSection(appearance: AppearanceView): Html {
  const theme = THEMES.some(([v]) => v === appearance.theme_preference) ? appearance.theme_preference : "auto";
  const font = appearance.terminal_font || TERMINAL_FONTS[0];
  return section(
    "appearance",
    "Appearance",
    apiForm(
      {
        id: "appearance-form",
        method: "PUT",
        path: "/api/v2/users/me/appearance",
        success: "reload",
        successMessage: "Appearance saved.",
        signedIn: true,
      },
      html`<fieldset><legend>Theme</legend>
${THEMES.map(
  ([value, label]) =>
    html`<div class="field inline"><input type="radio" id="theme-${value}" name="theme_preference" value="${value}"${
      value === theme ? html` checked` : ""
    }><label for="theme-${value}">${label}</label></div>`,
)}
</fieldset>
<div class="field"><label for="terminal-font">Terminal font</label>
<select id="terminal-font" name="terminal_font" aria-describedby="terminal-font-error">${TERMINAL_FONTS.map(
        (f) => html`<option value="${f}"${f === font ? html` selected` : ""}>${f}</option>`,
      )}</select>
<p class="field-error" id="terminal-font-error"></p></div>
${submit("Save appearance")}`,
    ),
  );
}
