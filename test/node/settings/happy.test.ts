// The settings endpoints doing their job (https://github.com/coder/coder/blob/main/coderd/users.go): appearance,
// preferences, login type and OIDC claims; what each answers and what it leaves in the database.
import { describe, expect, it } from "vitest";
import { call, configsOf, oidcUser, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();

const EMPTY_APPEARANCE = { theme_preference: "", terminal_font: "", theme_mode: "", theme_light: "", theme_dark: "" };

describe("appearance", () => {
  it("starts with every setting empty", async () => {
    const res = await call(w.app, "GET", "/users/me/appearance", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EMPTY_APPEARANCE);
  });

  it("stores and echoes a supported font and a theme", async () => {
    const res = await call(w.app, "PUT", "/users/me/appearance", w.member.token, { theme_preference: "dark", terminal_font: "fira-code" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...EMPTY_APPEARANCE, theme_preference: "dark", terminal_font: "fira-code" });
    // An omitted theme_mode writes neither the mode nor the slots.
    expect(await configsOf(w.app, w.member.id)).toEqual({ theme_preference: "dark", terminal_font: "fira-code" });
    expect((await call(w.app, "GET", `/users/${w.member.username}/appearance`, w.member.token)).body).toEqual(res.body);
  });

  it("accepts every font of the list, geist-mono included", async () => {
    for (const font of ["ibm-plex-mono", "source-code-pro", "jetbrains-mono", "geist-mono"]) {
      const res = await call(w.app, "PUT", "/users/me/appearance", w.other.token, { theme_preference: "light", terminal_font: font });
      expect(res.status).toBe(200);
      expect(res.body.terminal_font).toBe(font);
    }
  });

  it("round-trips sync mode, and an omitted mode keeps the sync slots", async () => {
    const sync = {
      theme_preference: "dark",
      terminal_font: "fira-code",
      theme_mode: "sync",
      theme_light: "light-tritan",
      theme_dark: "dark",
    };
    const put = await call(w.app, "PUT", "/users/me/appearance", w.member.token, sync);
    expect(put.status).toBe(200);
    expect(put.body).toEqual(sync);

    const legacyClient = await call(w.app, "PUT", "/users/me/appearance", w.member.token, {
      theme_preference: "light",
      terminal_font: "fira-code",
    });
    expect(legacyClient.body).toEqual({ ...sync, theme_preference: "light" });
    expect(await configsOf(w.app, w.member.id)).toMatchObject({ theme_mode: "sync", theme_light: "light-tritan", theme_dark: "dark" });
  });

  it("single mode writes only the slots that were sent", async () => {
    const res = await call(w.app, "PUT", "/users/me/appearance", w.member.token, {
      theme_preference: "dark-protan-deuter",
      terminal_font: "fira-code",
      theme_mode: "single",
      theme_dark: "dark-protan-deuter",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      theme_preference: "dark-protan-deuter",
      terminal_font: "fira-code",
      theme_mode: "single",
      theme_light: "light-tritan",
      theme_dark: "dark-protan-deuter",
    });
  });

  it("a legacy auto preference without a mode clears the mode, keeping the slots", async () => {
    const res = await call(w.app, "PUT", "/users/me/appearance", w.member.token, {
      theme_preference: "auto-tritan",
      terminal_font: "fira-code",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      theme_preference: "auto-tritan",
      theme_mode: "",
      theme_light: "light-tritan",
      theme_dark: "dark-protan-deuter",
    });
    expect((await configsOf(w.app, w.member.id)).theme_mode).toBe("");
  });

  it("an owner and a user admin may change another user's appearance", async () => {
    for (const token of [w.owner.token, w.userAdmin.token]) {
      const res = await call(w.app, "PUT", `/users/${w.other.id}/appearance`, token, {
        theme_preference: "light",
        terminal_font: "ibm-plex-mono",
      });
      expect(res.status).toBe(200);
      expect((await call(w.app, "GET", `/users/${w.other.username}/appearance`, token)).body.terminal_font).toBe("ibm-plex-mono");
    }
  });
});

describe("preferences", () => {
  it("starts at the defaults", async () => {
    const res = await call(w.app, "GET", "/users/me/preferences", w.other.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      task_notification_alert_dismissed: false,
      thinking_display_mode: "auto",
      code_diff_display_mode: "",
      agent_chat_send_shortcut: "enter",
    });
  });

  it("sets and clears task_notification_alert_dismissed", async () => {
    const on = await call(w.app, "PUT", "/users/me/preferences", w.other.token, { task_notification_alert_dismissed: true });
    expect(on.status).toBe(200);
    expect(on.body.task_notification_alert_dismissed).toBe(true);
    expect((await configsOf(w.app, w.other.id)).task_notification_alert_dismissed).toBe("true");
    const off = await call(w.app, "PUT", "/users/me/preferences", w.other.token, { task_notification_alert_dismissed: false });
    expect(off.body.task_notification_alert_dismissed).toBe(false);
    expect((await call(w.app, "GET", "/users/me/preferences", w.other.token)).body.task_notification_alert_dismissed).toBe(false);
  });

  it("round-trips each display preference; empty and omitted fields keep the stored value", async () => {
    const set = {
      thinking_display_mode: "always_expanded",
      code_diff_display_mode: "always_collapsed",
      agent_chat_send_shortcut: "modifier_enter",
    };
    const put = await call(w.app, "PUT", "/users/me/preferences", w.other.token, set);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ task_notification_alert_dismissed: false, ...set });

    const empty = await call(w.app, "PUT", "/users/me/preferences", w.other.token, {
      task_notification_alert_dismissed: null,
      thinking_display_mode: "",
      code_diff_display_mode: "",
      agent_chat_send_shortcut: "",
    });
    expect(empty.body).toEqual(put.body);
    expect((await call(w.app, "PUT", "/users/me/preferences", w.other.token, {})).body).toEqual(put.body);
    expect(await configsOf(w.app, w.other.id)).toMatchObject({ ...set, task_notification_alert_dismissed: "false" });

    const preview = await call(w.app, "PUT", "/users/me/preferences", w.other.token, { thinking_display_mode: "preview" });
    expect(preview.body).toEqual({ ...put.body, thinking_display_mode: "preview" });
  });
});

describe("login type", () => {
  it("reports the caller's own login type", async () => {
    const res = await call(w.app, "GET", "/users/me/login-type", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ login_type: "password" });
    expect((await call(w.app, "GET", `/users/${w.member.id}/login-type`, w.member.token)).body).toEqual({ login_type: "password" });
  });

  it("reports oidc for an OIDC user", async () => {
    const user = await oidcUser(w.app, "oidc-lt");
    expect((await call(w.app, "GET", "/users/me/login-type", user.token)).body).toEqual({ login_type: "oidc" });
  });
});

describe("OIDC claims", () => {
  it("returns the merged claims of the caller's OIDC link", async () => {
    const merged = { email: "a@example.com", groups: ["dev", "ops"], nested: { level: 2 } };
    const user = await oidcUser(w.app, "oidc-claims", { id_token_claims: { sub: "x" }, merged_claims: merged });
    const res = await call(w.app, "GET", "/users/oidc-claims", user.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ claims: merged });
  });

  it("answers {} when the link has no merged claims; a session without a link is refused", async () => {
    const noMerged = await oidcUser(w.app, "oidc-nomerged", { id_token_claims: { sub: "y" } });
    expect((await call(w.app, "GET", "/users/oidc-claims", noMerged.token)).body).toEqual({ claims: {} });
    const noLink = await oidcUser(w.app, "oidc-nolink", null);
    const res = await call(w.app, "GET", "/users/oidc-claims", noLink.token);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: "You must re-authenticate with the login provider." });
  });
});
