// Markup helpers for the form protocol console.js implements (see the header of src/pages/static/console.js):
// a form names the API call it makes; each control has a label, a hint and an error line, linked with
// aria-describedby so a screen reader reads them with the control.
import { html } from "hono/html";
import type { Html } from "./layout.ts";

export interface ApiFormOptions {
  id: string;
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  /** The API path, /api/v2 included, values already encoded (encodeURIComponent). */
  path: string;
  /** What happens on success (console.js): reload (default), refresh, redirect, message, or a handler name. */
  success?: string;
  successMessage?: string;
  /** For success "refresh": the ids of the elements re-rendered. */
  refresh?: string[];
  /** For success "redirect". */
  redirect?: string;
  /** Asked with confirm() before a destructive call. */
  confirm?: string;
  /**
   * Asked in a modal <dialog> instead (console.js): the question, and the label of the button that goes
   * ahead (Cancel is the other, focused first, and Escape). Checked by axe and driven by the keyboard like
   * the rest of the page, which a native confirm() is not.
   */
  confirmDialog?: { question: string; button: string };
  /** For success "message": clear the controls afterwards. */
  reset?: boolean;
  /** The form belongs to a signed-in page: a 401 sends the person to sign in again. */
  signedIn?: boolean;
  /** Accessible name of the form (a form with a name is a landmark: use for the page's main forms only). */
  label?: string;
  class?: string;
}

const opt = (name: string, value: string | undefined) => (value === undefined ? "" : html` ${name}="${value}"`);

/**
 * `method="post"` with no action: should the script not run, submitting must never put the fields (a
 * password) into a GET URL, where logs and history would keep them.
 */
export function apiForm(o: ApiFormOptions, children: Html): Html {
  return html`<form id="${o.id}" method="post" data-api-method="${o.method}" data-api-path="${o.path}"${opt("data-success", o.success)}${opt(
    "data-success-message",
    o.successMessage,
  )}${opt("data-refresh", o.refresh?.join(" "))}${opt("data-redirect", o.redirect)}${opt("data-confirm", o.confirm)}${opt(
    "data-confirm-dialog",
    o.confirmDialog?.question,
  )}${opt("data-confirm-button", o.confirmDialog?.button)}${
    o.reset ? html` data-reset` : ""
  }${o.signedIn ? html` data-signed-in` : ""}${opt("aria-label", o.label)}${opt("class", o.class)} novalidate>
<p data-status class="status" id="${o.id}-status" tabindex="-1" hidden></p>
${children}
</form>`;
}

export interface FieldOptions {
  /** The JSON field the value goes to (dots nest). */
  name: string;
  label: string;
  /** Unique in the page; defaults to the form-less name. */
  id: string;
  type?: string;
  value?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  /** console.js conversions: number, boolean, list, lines. */
  dataType?: string;
  omitEmpty?: boolean;
  /** Extra trusted attributes (already escaped markup). */
  attrs?: Html;
  readonly?: boolean;
}

/** A labelled input with its hint and its (initially empty) error line. */
export function field(o: FieldOptions): Html {
  const describedBy = [o.hint ? `${o.id}-hint` : "", `${o.id}-error`].filter(Boolean).join(" ");
  return html`<div class="field">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : ""}
<input id="${o.id}" name="${o.name}" type="${o.type ?? "text"}"${opt("value", o.value)}${opt("autocomplete", o.autocomplete)}${opt(
    "data-type",
    o.dataType,
  )}${o.omitEmpty ? html` data-omit-empty` : ""}${o.required ? html` required` : ""}${o.readonly ? html` readonly` : ""} aria-describedby="${describedBy}"${
    o.attrs ?? ""
  }>
<p class="field-error" id="${o.id}-error"></p>
</div>`;
}

/**
 * A new password, with the line console.js fills with POST /users/validate-password's verdict as it is
 * typed (data-validate-password names that line).
 */
export function newPasswordField(o: Pick<FieldOptions, "id" | "name" | "label" | "required" | "omitEmpty">): Html {
  const strength = `${o.id}-strength`;
  return html`${field({ ...o, type: "password", autocomplete: "new-password", attrs: html` data-validate-password="${strength}"` })}
<p id="${strength}" class="strength" aria-live="polite"></p>`;
}

export const submit = (label: string, cls?: string): Html => html`<button type="submit"${opt("class", cls)}>${label}</button>`;

/** A path segment for an API path: user-supplied values are always encoded. */
export const seg = (value: string) => encodeURIComponent(value);
