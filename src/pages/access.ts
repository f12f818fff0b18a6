// Who may open an administrator's page (/users, /audit): the same rule that decides whether the page is in
// the navigation (NAV in layout.ts), so a person never sees a link to a page that refuses them, and a
// person who types the address gets a plain "not allowed" page, not the API's JSON.
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../deps.ts";
import type { UserView } from "../users/view.ts";
import { type Html, layout, mayUse, NAV } from "./layout.ts";
import type { InProcessApp } from "./api.ts";
import { page, signedIn, toSignIn } from "./respond.ts";

export type Access = { me: UserView; refusal?: undefined } | { me?: undefined; refusal: Response | Promise<Response> };

/** The signed-in person, if the NAV entry `href` is theirs; else the sign-in redirect or the 403 page. */
export async function requireSection(api: InProcessApp, c: Context<AppEnv>, href: string): Promise<Access> {
  const me = await signedIn(api, c);
  if (!me) return { refusal: toSignIn(c) };
  const item = NAV.find((n) => n.href === href)!;
  if (mayUse(item, me)) return { me };
  return {
    refusal: page(
      c,
      layout({
        title: "Not allowed",
        me,
        body: html`<h1>Not allowed</h1>
<p>Your roles do not include the ${item.label} page. <a href="/">Your account</a></p>`,
      }),
      403,
    ),
  };
}

/**
 * An administration page in its frame (the person's theme, `current` marked in the navigation). A refused
 * read's status (400 bad query, 403, 404) becomes the page's own; anything else is a 200 page.
 */
export function adminPage(c: Context<AppEnv>, me: UserView, current: string, title: string, body: Html, status = 200) {
  return page(
    c,
    layout({ title, me, current, theme: me.theme_preference, body }),
    status === 400 || status === 403 || status === 404 ? status : 200,
  );
}
