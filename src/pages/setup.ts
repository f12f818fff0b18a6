// /setup: the first owner of a new deployment, through POST /users/first. Only while no user exists
// (GET /users/first); afterwards it sends people to sign in. The password gets live feedback from
// POST /users/validate-password as it is typed; after creating the owner, console.js signs them in with
// what they typed (POST /users/login) and opens their account page.
import { html } from "hono/html";
import type { Router } from "../http/router.ts";
import { apiGet } from "./api.ts";
import { apiForm, field, newPasswordField, submit } from "./form.ts";
import { layout } from "./layout.ts";
import { page } from "./respond.ts";

export const SETUP_PATH = "/setup";

const form = apiForm(
  { id: "setup-form", method: "POST", path: "/api/v2/users/first", success: "sign-in-after-setup", label: "Create the first owner" },
  html`${field({ id: "setup-email", name: "email", label: "Email", type: "email", autocomplete: "email", required: true })}
${field({ id: "setup-username", name: "username", label: "Username", autocomplete: "username", required: true, hint: "Letters, digits and single hyphens; at most 32 characters." })}
${field({ id: "setup-name", name: "name", label: "Full name (optional)", autocomplete: "name", omitEmpty: true })}
${newPasswordField({ id: "setup-password", name: "password", label: "Password", required: true })}
${submit("Create owner account")}`,
);

export function mountSetup(app: Router): void {
  app.get(SETUP_PATH, async (c) => {
    const first = await apiGet(app, c, "/users/first");
    if (first.status === 200) return c.redirect("/login", 303);
    return page(
      c,
      layout({
        title: "Setup",
        narrow: true,
        body: html`<h1>Set up Gatehouse</h1>
<p>Create the first account. It becomes the deployment's owner, with every permission.</p>
${form}`,
      }),
    );
  });
}
