// Gatehouse console: the one client script. Pages are rendered on the server and work through this file's
// form protocol (src/pages/form.ts renders it):
//
//   <form data-api-method="POST" data-api-path="/api/v2/..." data-success="reload|refresh|redirect|message|<handler>">
//
// On submit the named controls become a JSON body (data-type on a control: "number", "boolean", "list"
// for checkboxes sharing a name, "lines" for one value per line; data-omit-empty leaves an empty value out;
// a dotted name nests: "a.b"), sent with fetch to the same origin, so the session cookie authenticates it
// and the API authorises, validates, rate-limits and audits it as any client. An error shows the API's
// `message` (and `detail`) in the form's status line and each of `validations` next to its field; never a
// raw body. data-confirm asks first with confirm(); data-confirm-dialog asks in a modal <dialog> (its text,
// and data-confirm-button the label of the button that goes ahead). Success:
//   reload   the page again, with data-success-message shown after the reload
//   refresh  the elements named by data-refresh (ids, space-separated) replaced by a fresh render of this page
//   redirect location = data-redirect, with data-success-message shown after it
//   message  data-success-message in the status line (data-reset clears the form)
//   other    a handler registered in HANDLERS below
// Nothing is kept in localStorage; sessionStorage holds only the success message across a reload.

(() => {
  const FLASH_KEY = "gatehouse-flash";
  const NETWORK_ERROR = "Could not reach Gatehouse. Check the connection and try again.";

  /** @type {Record<string, (form: HTMLFormElement, body: any) => void | Promise<void>>} */
  const HANDLERS = {
    // Setup: the first owner was created; sign them in with what they typed and go to the account page.
    async "sign-in-after-setup"(form) {
      const email = fieldValue(form, "email");
      const password = fieldValue(form, "password");
      const res = await api("POST", "/api/v2/users/login", { email, password });
      if (!res.ok) return showError(form, res);
      location.assign("/");
    },
    // A new API token: shown once, in this page only, with a copy button; the list refreshed around it.
    async "show-token"(form, body) {
      const panel = document.getElementById("new-token");
      const value = document.getElementById("new-token-value");
      if (!panel || !value) return;
      form.reset();
      // The list first, so the panel appears once, with focus, and nothing moves after.
      await refresh(["tokens"]);
      value.textContent = body.key;
      panel.hidden = false;
      focusElement(panel);
    },
    // The SSH key regenerated: the new public key and fingerprint come back in the body.
    "show-ssh-key"(form, body) {
      const key = document.getElementById("ssh-public-key");
      if (key) key.textContent = body.public_key;
      setStatus(form, "New SSH key generated. Add the public key to your Git provider.", false);
    },
    // OTP request: Gatehouse always answers 204 so as not to reveal accounts; say what happens next.
    "otp-requested"(form) {
      const email = fieldValue(form, "email");
      const next = document.getElementById("otp-change");
      const target = next?.querySelector('input[name="email"]');
      if (target instanceof HTMLInputElement) target.value = email;
      setStatus(form, "If an account uses this email, a one-time passcode is on its way.", false);
      if (next) {
        next.hidden = false;
        const code = next.querySelector('input[name="one_time_passcode"]');
        if (code instanceof HTMLElement) code.focus();
      }
    },
  };

  /** @param {string} method @param {string} path @param {unknown} [body] */
  async function api(method, path, body) {
    try {
      /** @type {Record<string, string>} */
      const headers = { Accept: "application/json" };
      /** @type {RequestInit} */
      const init = { method, credentials: "same-origin", headers };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      const res = await fetch(path, init);
      const text = await res.text();
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { ok: res.ok, status: res.status, body: json };
    } catch {
      return { ok: false, status: 0, body: undefined };
    }
  }

  /** @param {HTMLFormElement} form @param {string} name */
  function fieldValue(form, name) {
    const el = form.elements.namedItem(name);
    return el && "value" in el ? String(el.value) : "";
  }

  /** @param {Record<string, any>} obj @param {string} name @param {unknown} value */
  function put(obj, name, value) {
    const parts = name.split(".");
    let at = obj;
    for (const part of parts.slice(0, -1)) at = at[part] ??= {};
    at[parts[parts.length - 1]] = value;
  }

  /** The form's named controls as the JSON body the API expects. @param {HTMLFormElement} form */
  function bodyOf(form) {
    /** @type {Record<string, any>} */
    const body = {};
    const lists = new Set();
    for (const el of Array.from(form.elements)) {
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) continue;
      if (!el.name || el.disabled || el.dataset.skip !== undefined) continue;
      const type = el.dataset.type;
      if (type === "list") {
        if (!lists.has(el.name)) put(body, el.name, []), lists.add(el.name);
        const list = el.name.split(".").reduce((o, k) => o[k], body);
        if (el instanceof HTMLSelectElement) for (const o of Array.from(el.selectedOptions)) list.push(o.value);
        else if (!(el instanceof HTMLInputElement && el.type === "checkbox") || el.checked) list.push(el.value);
        continue;
      }
      if (el instanceof HTMLInputElement && el.type === "radio" && !el.checked) continue;
      /** @type {unknown} */
      let value = el.value;
      if (el instanceof HTMLInputElement && el.type === "checkbox") value = el.checked;
      else if (type === "boolean") value = el.value === "true";
      else if (type === "number") value = el.value === "" ? undefined : Number(el.value);
      else if (type === "lines")
        value = el.value
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean);
      if (el.dataset.invert !== undefined && typeof value === "boolean") value = !value;
      if ((value === "" || value === undefined) && el.dataset.omitEmpty !== undefined) continue;
      put(body, el.name, value);
    }
    return body;
  }

  /** The form's status line, made on first use. @param {HTMLFormElement} form */
  function statusOf(form) {
    let status = form.querySelector("[data-status]");
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("data-status", "");
      form.prepend(status);
    }
    if (!status.id) status.id = `${form.id || "form"}-status`;
    status.setAttribute("tabindex", "-1");
    return /** @type {HTMLElement} */ (status);
  }

  /** @param {HTMLFormElement} form @param {string} text @param {boolean} isError */
  function setStatus(form, text, isError) {
    const status = statusOf(form);
    // role=alert for errors (announced at once), role=status for confirmations (announced politely).
    status.setAttribute("role", isError ? "alert" : "status");
    status.className = isError ? "status error" : "status ok";
    status.textContent = text;
    status.hidden = text === "";
    return status;
  }

  /** @param {HTMLFormElement} form */
  function clearErrors(form) {
    setStatus(form, "", false);
    for (const err of Array.from(form.querySelectorAll(".field-error[data-generated]"))) err.remove();
    for (const err of Array.from(form.querySelectorAll(".field-error"))) err.textContent = "";
    for (const el of Array.from(form.querySelectorAll("[aria-invalid]"))) el.removeAttribute("aria-invalid");
  }

  /** A field's error line, linked to the control with aria-describedby. @param {HTMLElement} control */
  function fieldErrorOf(control) {
    const id = `${control.id || control.getAttribute("name")}-error`;
    let err = document.getElementById(id);
    if (!err) {
      err = document.createElement("p");
      err.id = id;
      err.className = "field-error";
      err.setAttribute("data-generated", "");
      (control.closest(".field") ?? control).after(err);
    }
    const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    if (!described.includes(id)) control.setAttribute("aria-describedby", [...described, id].join(" "));
    return err;
  }

  /**
   * Shows the API's answer: message, detail, and each validation next to its field.
   * @param {HTMLFormElement} form @param {{ status: number, body: any }} res
   */
  function showError(form, res) {
    const body = res.body && typeof res.body === "object" ? res.body : {};
    let text = typeof body.message === "string" && body.message ? body.message : "";
    if (!text) text = res.status === 0 ? NETWORK_ERROR : `The request failed (HTTP ${res.status}).`;
    if (typeof body.detail === "string" && body.detail) text += ` ${body.detail}`;
    const status = setStatus(form, text, true);
    /** @type {HTMLElement | null} */
    let first = null;
    for (const v of Array.isArray(body.validations) ? body.validations : []) {
      if (!v || typeof v.field !== "string") continue;
      const control = form.querySelector(`[name="${CSS.escape(v.field)}"]`);
      if (!(control instanceof HTMLElement)) {
        status.textContent += ` ${v.field}: ${v.detail}`;
        continue;
      }
      control.setAttribute("aria-invalid", "true");
      fieldErrorOf(control).textContent = String(v.detail ?? "");
      first ??= control;
    }
    (first ?? status).focus();
  }

  /** Moves focus to an element that is not focusable by itself (a heading, a panel). @param {HTMLElement} el */
  function focusElement(el) {
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
  }

  /** Replaces the elements with these ids by their fresh render from the server. @param {string[]} ids */
  async function refresh(ids) {
    const res = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!res.ok) return location.reload();
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const id of ids) {
      const fresh = doc.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    }
  }

  /** @param {HTMLFormElement} form @param {any} body */
  async function succeed(form, body) {
    const mode = form.dataset.success ?? "reload";
    const message = form.dataset.successMessage ?? "";
    if (mode === "reload") {
      if (message) sessionStorage.setItem(FLASH_KEY, message);
      location.reload();
    } else if (mode === "redirect") {
      if (message) sessionStorage.setItem(FLASH_KEY, message);
      location.assign(form.dataset.redirect ?? "/");
    } else if (mode === "refresh") {
      const ids = (form.dataset.refresh ?? "").split(" ").filter(Boolean);
      const section = form.closest("section")?.id;
      await refresh(ids);
      // The form may have been replaced: announce and focus in whatever now stands in its place. A form
      // that is gone (a deleted row's) leaves focus on its section's heading, the message announced.
      const live = (form.id && document.getElementById(form.id)) || form;
      if (live instanceof HTMLFormElement && live.isConnected) focusElement(setStatus(live, message, false));
      else {
        announce(message);
        const heading = section && document.querySelector(`#${CSS.escape(section)} h2`);
        if (heading instanceof HTMLElement) focusElement(heading);
      }
    } else if (mode === "message") {
      if (form.dataset.reset !== undefined) form.reset();
      focusElement(setStatus(form, message, false));
    } else if (HANDLERS[mode]) {
      await HANDLERS[mode](form, body);
    }
  }

  /** Shows a page-level message (the flash region at the top of main, role=status). @param {string} text */
  function announce(text) {
    const region = document.getElementById("flash");
    if (!region || !text) return undefined;
    region.hidden = false;
    region.textContent = text;
    return region;
  }

  /** A page-level message with focus moved to it (after a reload, where focus would be nowhere). @param {string} text */
  function flash(text) {
    const region = announce(text);
    if (region) focusElement(region);
  }

  /**
   * The confirmation of a destructive call, in a modal <dialog>: focus starts on Cancel (the safe choice),
   * Escape cancels, the rest of the page is inert while it is open, and focus goes back to the button that
   * asked. One dialog per page, made on first use. Resolves true when the person confirmed.
   * @param {HTMLFormElement} form
   */
  function confirmInDialog(form) {
    let dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("confirm-dialog"));
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
      dialog.setAttribute("aria-describedby", "confirm-dialog-text");
      const title = Object.assign(document.createElement("h2"), { id: "confirm-dialog-title", textContent: "Are you sure?" });
      const text = Object.assign(document.createElement("p"), { id: "confirm-dialog-text" });
      const choice = Object.assign(document.createElement("form"), { method: "dialog", className: "actions" });
      const cancel = Object.assign(document.createElement("button"), { value: "cancel", className: "secondary", textContent: "Cancel" });
      const go = Object.assign(document.createElement("button"), { value: "confirm", className: "danger", id: "confirm-dialog-go" });
      choice.append(cancel, go);
      dialog.append(title, text, choice);
      document.body.append(dialog);
    }
    const asker = document.activeElement;
    /** @type {HTMLElement} */ (dialog.querySelector("#confirm-dialog-text")).textContent = form.dataset.confirmDialog ?? "";
    /** @type {HTMLElement} */ (dialog.querySelector("#confirm-dialog-go")).textContent = form.dataset.confirmButton || "Confirm";
    dialog.returnValue = "";
    const open = /** @type {HTMLDialogElement} */ (dialog);
    return new Promise((resolve) => {
      open.addEventListener(
        "close",
        () => {
          if (asker instanceof HTMLElement) asker.focus();
          resolve(open.returnValue === "confirm");
        },
        { once: true },
      );
      open.showModal();
      /** @type {HTMLElement} */ (open.querySelector('button[value="cancel"]')).focus();
    });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.apiPath) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    if (form.dataset.confirmDialog !== undefined && !(await confirmInDialog(form))) return;
    clearErrors(form);
    form.setAttribute("aria-busy", "true");
    const buttons = Array.from(form.querySelectorAll("button"));
    for (const b of buttons) b.disabled = true;
    try {
      const method = (form.dataset.apiMethod ?? "POST").toUpperCase();
      const res = await api(method, form.dataset.apiPath, method === "GET" || method === "DELETE" ? undefined : bodyOf(form));
      if (res.ok) await succeed(form, res.body);
      else if (res.status === 401 && form.dataset.signedIn !== undefined) {
        location.assign(`/login?redirect=${encodeURIComponent(location.pathname + location.search)}`);
      } else showError(form, res);
    } finally {
      form.removeAttribute("aria-busy");
      for (const b of buttons) b.disabled = false;
    }
  });

  // Live password feedback: POST /users/validate-password as the person types (debounced).
  /** @type {number | undefined} */
  let strengthTimer;
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.dataset.validatePassword === undefined) return;
    const out = document.getElementById(input.dataset.validatePassword);
    if (!out) return;
    clearTimeout(strengthTimer);
    strengthTimer = window.setTimeout(async () => {
      if (input.value === "") return void (out.textContent = "");
      const res = await api("POST", "/api/v2/users/validate-password", { password: input.value });
      if (!res.ok || !res.body) return;
      out.className = res.body.valid ? "strength ok" : "strength weak";
      out.textContent = res.body.valid ? "Strong enough." : res.body.details;
    }, 300);
  });

  // Copy buttons: data-copy names the element whose text is copied.
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const source = document.getElementById(button.dataset.copy ?? "");
    const note = document.getElementById(`${button.dataset.copy}-copied`);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent ?? "");
      if (note) note.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard permission: select the text so the person can copy it with the keyboard.
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      if (note) note.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
  });

  // Controls that only make sense with this script (copy buttons, live feedback) are hidden until it runs.
  for (const el of Array.from(document.querySelectorAll("[data-needs-script]"))) el.removeAttribute("hidden");
  const pending = sessionStorage.getItem(FLASH_KEY);
  if (pending) {
    sessionStorage.removeItem(FLASH_KEY);
    flash(pending);
  }
})();
