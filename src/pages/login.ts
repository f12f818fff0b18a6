// /login: email and password (POST /users/login), a button per configured provider (GET /users/authmethods),
// and the forgotten-password flow (POST /users/otp/request, then /users/otp/change-password). The
// `redirect` parameter goes through safeRedirect, the rule the OAuth flow applies, and is handed on to the
// providers' sign-in routes, which apply it again.
import { html } from "hono/html";
import type { Router } from "../http/router.ts";
import { GITHUB_CALLBACK_PATH, OIDC_CALLBACK_PATH } from "../oauth/paths.ts";
import { safeRedirect } from "../oauth/redirect.ts";
import { apiGet, type AuthMethods } from "./api.ts";
import { apiForm, field, newPasswordField, submit } from "./form.ts";
import { layout, type Html } from "./layout.ts";
import { page, signedIn } from "./respond.ts";

export const LOGIN_PATH = "/login";

/** Only a same-origin path or a data: image can load under the pages' CSP; another origin's icon is left out. */
function iconOf(iconUrl: string, accessUrl: string): string | undefined {
  if (iconUrl.startsWith("data:image/")) return iconUrl;
  if (!iconUrl.startsWith("/") || iconUrl.startsWith("//")) return undefined;
  return new URL(iconUrl, accessUrl).origin === new URL(accessUrl).origin ? iconUrl : undefined;
}

function providers(methods: AuthMethods, redirect: string, accessUrl: string): Html {
  const query = `?redirect=${encodeURIComponent(redirect)}`;
  const buttons: Html[] = [];
  if (methods.github.enabled) buttons.push(html`<a href="/api/v2${GITHUB_CALLBACK_PATH}${query}">Sign in with GitHub</a>`);
  if (methods.oidc.enabled) {
    const icon = iconOf(methods.oidc.iconUrl, accessUrl);
    const text = methods.oidc.signInText || "OpenID Connect";
    buttons.push(
      html`<a href="/api/v2${OIDC_CALLBACK_PATH}${query}">${icon ? html`<img src="${icon}" alt="">` : ""}Sign in with ${text}</a>`,
    );
  }
  return html`${buttons.length ? html`<div class="providers">${buttons}</div>` : ""}`;
}

function passwordForms(redirect: string): Html {
  return html`${apiForm(
    { id: "login-form", method: "POST", path: "/api/v2/users/login", success: "redirect", redirect, label: "Sign in" },
    html`${field({ id: "login-email", name: "email", label: "Email", type: "email", autocomplete: "username", required: true })}
${field({ id: "login-password", name: "password", label: "Password", type: "password", autocomplete: "current-password", required: true })}
${submit("Sign in")}`,
  )}
<details id="forgot">
<summary>Forgot your password?</summary>
${apiForm(
  { id: "otp-request", method: "POST", path: "/api/v2/users/otp/request", success: "otp-requested", label: "Request a one-time passcode" },
  html`<p class="hint">We send a one-time passcode to the account's email address.</p>
${field({ id: "otp-request-email", name: "email", label: "Email", type: "email", autocomplete: "username", required: true })}
${submit("Send passcode", "secondary")}`,
)}
<div id="otp-change" hidden>
${apiForm(
  {
    id: "otp-change-form",
    method: "POST",
    path: "/api/v2/users/otp/change-password",
    success: "message",
    successMessage: "Password changed. Sign in with the new password.",
    reset: true,
    label: "Choose a new password",
  },
  html`${field({ id: "otp-email", name: "email", label: "Email", type: "email", autocomplete: "username", required: true })}
${field({ id: "otp-code", name: "one_time_passcode", label: "One-time passcode", autocomplete: "one-time-code", required: true })}
${newPasswordField({ id: "otp-password", name: "password", label: "New password", required: true })}
${submit("Change password")}`,
)}
</div>
</details>`;
}

export function mountLogin(app: Router): void {
  app.get(LOGIN_PATH, async (c) => {
    const { accessUrl } = c.env.deps.config;
    // Back to the sign-in or setup page would send a signed-in person round in circles: the account instead.
    const wanted = safeRedirect(c.req.query("redirect"), accessUrl);
    const redirect = [LOGIN_PATH, "/setup"].includes(new URL(wanted, accessUrl).pathname) ? "/" : wanted;
    // Already signed in: straight on. No user yet: the deployment needs its owner first.
    const [me, methods, first] = await Promise.all([
      signedIn(app, c),
      apiGet<AuthMethods>(app, c, "/users/authmethods"),
      apiGet(app, c, "/users/first"),
    ]);
    if (me) return c.redirect(redirect, 303);
    if (first.status === 404) return c.redirect("/setup", 303);
    const m = methods.body!;
    // Why a sign-in through a provider was refused (src/pages/sign-in-failures.ts, and Coder's own
    // /login?message=…): escaped like every value in these templates.
    const message = c.req.query("message")?.slice(0, 500);
    return page(
      c,
      layout({
        title: "Sign in",
        narrow: true,
        body: html`<h1>Sign in to Gatehouse</h1>
${message ? html`<div id="login-message" class="status error" role="alert"><p>${message}</p></div>` : ""}
${m.password.enabled ? passwordForms(redirect) : ""}
${providers(m, redirect, accessUrl)}
${!m.password.enabled && !m.github.enabled && !m.oidc.enabled ? html`<p>No sign-in method is configured.</p>` : ""}`,
      }),
    );
  });
}
