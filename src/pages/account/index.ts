// / : the signed-in person's account. Every section is read through the API as their session
// (src/pages/api.ts), in one round of parallel calls; a section whose read is refused is left out rather
// than shown empty.
import { html } from "hono/html";
import type { APIKeyView } from "../../keys/view.ts";
import type { Router } from "../../http/router.ts";
import type { AppearanceView } from "../../users/settings/appearance.ts";
import { apiGet } from "../api.ts";
import { layout } from "../layout.ts";
import { page, signedIn, toSignIn } from "../respond.ts";
import { appearanceSection, passwordSection, profileSection } from "./profile.ts";
import { notificationsSection, type Organization, organizationsSection, type Preference, type SshKey, sshSection } from "./settings.ts";
import { tokensSection } from "./tokens.ts";

export const ACCOUNT_PATH = "/";

export function mountAccount(app: Router): void {
  app.get(ACCOUNT_PATH, async (c) => {
    const me = await signedIn(app, c);
    if (!me) {
      // A new deployment has nobody to sign in yet.
      const first = await apiGet(app, c, "/users/first");
      return first.status === 404 ? c.redirect("/setup", 303) : toSignIn(c);
    }
    const [appearance, tokens, scopes, config, ssh, orgs, prefs] = await Promise.all([
      apiGet<AppearanceView>(app, c, "/users/me/appearance"),
      apiGet<APIKeyView[]>(app, c, "/users/me/keys/tokens"),
      apiGet<{ external: string[] }>(app, c, "/auth/scopes"),
      apiGet<{ max_token_lifetime: number }>(app, c, "/users/me/keys/tokens/tokenconfig"),
      apiGet<SshKey>(app, c, "/users/me/gitsshkey"),
      apiGet<Organization[]>(app, c, "/users/me/organizations"),
      apiGet<Preference[]>(app, c, "/users/me/notifications/preferences"),
    ]);
    const body = html`<h1>Account</h1>
<p>Signed in as <strong>${me.name || me.username}</strong> (${me.email}).</p>
${profileSection(me)}
${passwordSection(me)}
${appearance.ok ? appearanceSection(appearance.body!) : ""}
${
  tokens.ok
    ? tokensSection({
        tokens: tokens.body!,
        scopes: scopes.body?.external ?? [],
        maxLifetimeNs: config.body?.max_token_lifetime ?? Number.MAX_VALUE,
      })
    : ""
}
${sshSection(ssh.ok ? ssh.body : undefined)}
${orgs.ok ? organizationsSection(orgs.body!) : ""}
${prefs.ok ? notificationsSection(me, prefs.body!) : ""}`;
    return page(c, layout({ title: "Account", me, current: ACCOUNT_PATH, theme: appearance.body?.theme_preference, body }));
  });
}
