// Who may open an administrator's page (/users, /audit): the same rule that decides whether the page is in
// the navigation (NAV in layout.ts), so a person never sees a link to a page that refuses them, and a
// person who types the address gets a plain "not allowed" page, not the API's JSON.
import type { Context } from "hono";
import { html } from "hono/html";
import { siteRoleDisplayName } from "../auth/rbac.ts";
import type { AppEnv } from "../deps.ts";
import type { UserView } from "../users/view.ts";
import { layout, mayUse, NAV } from "./layout.ts";
import { page, signedIn, toSignIn } from "./respond.ts";

export type Access = { me: UserView; refusal?: undefined } | { me?: undefined; refusal: Response | Promise<Response> };

/** The signed-in person, if the NAV entry `href` is theirs; else the sign-in redirect or the 403 page. */
export async function requireSection(c: Context<AppEnv>, href: string): Promise<Access> {
  const me = await signedIn(c);
  if (!me) return { refusal: toSignIn(c) };
  const item = NAV.find((n) => n.href === href);
  if (!item) throw new Error(`pages: ${href} is not in NAV`);
  if (mayUse(item, me)) return { me };
  const roles = (item.roles ?? []).map((r) => siteRoleDisplayName(r) || r).join(" or ");
  return {
    refusal: page(
      c,
      layout({
        title: "Not allowed",
        me,
        body: html`<h1>Not allowed</h1>
<p>The ${item.label} page is for people with the ${roles} role. Your account does not have it.</p>
<p><a href="/">Back to your account</a></p>`,
      }),
      403,
    ),
  };
}
