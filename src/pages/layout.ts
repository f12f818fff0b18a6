// The frame every console page shares: head (the hashed stylesheet and script, no inline code), a skip
// link, the header with the navigation the signed-in person may use, the main landmark and its flash
// region (where console.js puts a success message after a reload).
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { UserView } from "../users/view.ts";
import { assetPath } from "./assets.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * The console's sections. `roles`: the site roles that may use it (any one suffices); none means every
 * signed-in person. A page is listed only for the people its API calls would not refuse.
 */
export interface NavItem {
  href: string;
  label: string;
  roles?: readonly string[];
}

/** Add a page here when it is mounted (src/pages/index.ts); order is the order shown. */
export const NAV: NavItem[] = [
  { href: "/", label: "Account" },
  // Who administers people (POST /users, the status, roles and password routes): owners and user admins.
  { href: "/users", label: "Users", roles: ["owner", "user-admin"] },
  // Site `audit_log: read` (src/auth/rbac.ts): owners and auditors.
  { href: "/audit", label: "Audit", roles: ["owner", "auditor"] },
];

export const mayUse = (item: NavItem, me: Pick<UserView, "roles">): boolean =>
  !item.roles || me.roles.some((r) => item.roles!.includes(r.name));

export interface PageOptions {
  title: string;
  body: Html;
  /** The signed-in person: the header shows their navigation and a sign-out button. */
  me?: UserView | undefined;
  /** The nav entry to mark as the current page. */
  current?: string;
  /** Appearance theme ("light", "dark"; anything else follows the system). */
  theme?: string | undefined;
  /** A narrow column (the sign-in and setup forms). */
  narrow?: boolean;
}

function header(me: UserView | undefined, current: string | undefined): Html {
  if (!me) return html`<header class="top"><a class="brand" href="/">Gatehouse</a></header>`;
  const items = NAV.filter((item) => mayUse(item, me));
  return html`<header class="top">
<a class="brand" href="/">Gatehouse</a>
<nav aria-label="Console"><ul>${items.map(
    (item) => html`<li><a href="${item.href}"${item.href === current ? html` aria-current="page"` : ""}>${item.label}</a></li>`,
  )}</ul></nav>
<form id="sign-out" method="post" data-api-method="POST" data-api-path="/api/v2/users/logout" data-success="redirect" data-redirect="/login" data-signed-in>
<span class="muted">${me.username}</span> <button type="submit" class="secondary">Sign out</button>
</form>
</header>`;
}

export function layout(o: PageOptions): Html {
  const theme = o.theme === "light" || o.theme === "dark" ? o.theme : undefined;
  return html`<!doctype html>
<html lang="en"${theme ? html` data-theme="${theme}"` : ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Gatehouse</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetPath("console.css")}">
<script src="${assetPath("console.js")}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header(o.me, o.current)}
<main id="main" tabindex="-1"${o.narrow ? html` class="narrow"` : ""}>
<noscript><p class="status error">These pages need JavaScript to send changes to Gatehouse.</p></noscript>
<p id="flash" role="status" hidden></p>
${o.body}
</main>
</body>
</html>
`;
}
