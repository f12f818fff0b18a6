// The settings endpoints doing their job (https://github.com/coder/coder/blob/main/coderd/users.go,
// https://github.com/coder/coder/blob/main/coderd/gitsshkey.go): what each answers and what it leaves in the database.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { gitSshKeys } from "../../../src/db/schema.ts";
import {
  addOrganization,
  addParameterValue,
  call,
  configsOf,
  oidcUser,
  sshKeygen,
  sshKeyRow,
  useRolesWorld,
} from "../../support/harness.ts";

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

describe("Git SSH key", () => {
  it("returns the key made at user creation: an ed25519 authorized_keys line ssh-keygen accepts", async () => {
    const res = await call(w.app, "GET", "/users/me/gitsshkey", w.member.token);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["created_at", "public_key", "updated_at", "user_id"]);
    expect(res.body.user_id).toBe(w.member.id);
    expect(res.body.public_key).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+={0,2}$/);
    const row = await sshKeyRow(w.app, w.member.id);
    expect(res.body.public_key).toBe(row!.publicKey);
    expect(res.body.created_at).toBe(row!.createdAt.toISOString());

    const fingerprint = sshKeygen(["-l", "-f", "key.pub"], { "key.pub": `${res.body.public_key}\n` });
    if (fingerprint !== undefined) expect(fingerprint).toMatch(/^256 SHA256:\S+ .*\(ED25519\)/);
  });

  it("PUT regenerates the pair: new public key, new stored private key, created_at kept", async () => {
    const before = await sshKeyRow(w.app, w.member.id);
    const res = await call(w.app, "PUT", "/users/me/gitsshkey", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body.public_key).toMatch(/^ssh-ed25519 AAAA/);
    expect(res.body.public_key).not.toBe(before!.publicKey);
    expect(res.body.created_at).toBe(before!.createdAt.toISOString());
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(before!.updatedAt.getTime());

    const after = await sshKeyRow(w.app, w.member.id);
    expect(after!.publicKey).toBe(res.body.public_key);
    expect(after!.privateKey).not.toBe(before!.privateKey);
    expect(after!.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    // The stored private key is the pair of the returned public key.
    const derived = sshKeygen(["-y", "-f", "id"], { id: after!.privateKey });
    if (derived !== undefined) expect(derived.trim()).toBe(res.body.public_key);
    expect((await call(w.app, "GET", "/users/me/gitsshkey", w.member.token)).body).toEqual(res.body);
  });

  it("creates a key on first read for a user who has none", async () => {
    await w.app.db.delete(gitSshKeys).where(eq(gitSshKeys.userId, w.other.id));
    const res = await call(w.app, "GET", "/users/me/gitsshkey", w.other.token);
    expect(res.status).toBe(200);
    expect(res.body.public_key).toMatch(/^ssh-ed25519 AAAA/);
    expect((await sshKeyRow(w.app, w.other.id))!.publicKey).toBe(res.body.public_key);
    expect((await call(w.app, "GET", "/users/me/gitsshkey", w.other.token)).body).toEqual(res.body);
  });

  it("an owner and a user admin may read and regenerate another user's key", async () => {
    for (const token of [w.owner.token, w.userAdmin.token]) {
      const get = await call(w.app, "GET", `/users/${w.other.username}/gitsshkey`, token);
      expect(get.status).toBe(200);
      const put = await call(w.app, "PUT", `/users/${w.other.id}/gitsshkey`, token);
      expect(put.status).toBe(200);
      expect(put.body.public_key).not.toBe(get.body.public_key);
    }
  });
});

describe("autofill parameters", () => {
  const template = "7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70";
  const otherTemplate = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1, 12, minutes));

  it("is [] when the user has no values for the template", async () => {
    const res = await call(w.app, "GET", `/users/me/autofill-parameters?template_id=${template}`, w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it("returns the latest non-ephemeral value per name, newest first", async () => {
    const id = w.member.id;
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "foo", createdAt: at(1) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "ephemeral", value: "x", ephemeral: true, createdAt: at(1) });
    await addParameterValue(w.app, { userId: id, templateId: otherTemplate, name: "param", value: "elsewhere", createdAt: at(9) });
    await addParameterValue(w.app, { userId: w.other.id, templateId: template, name: "param", value: "not-mine", createdAt: at(9) });
    let res = await call(w.app, "GET", `/users/me/autofill-parameters?template_id=${template}`, w.member.token);
    expect(res.body).toEqual([{ name: "param", value: "foo" }]);

    // A new build: the newer value wins, an ephemeral value never does.
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "foo_new", createdAt: at(2) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "eph", ephemeral: true, createdAt: at(3) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "region", value: "eu", createdAt: at(4) });
    res = await call(w.app, "GET", `/users/${w.member.username}/autofill-parameters?template_id=${template.toUpperCase()}`, w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: "region", value: "eu" },
      { name: "param", value: "foo_new" },
    ]);
  });

  it("an owner may read a member's values", async () => {
    const res = await call(w.app, "GET", `/users/${w.member.id}/autofill-parameters?template_id=${template}`, w.owner.token);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
  });
});

describe("organizations", () => {
  it("lists the user's organizations, the default one included", async () => {
    const res = await call(w.app, "GET", "/users/me/organizations", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toEqual({
      id: w.owner.orgId,
      name: "coder",
      display_name: "Coder",
      description: "Builtin default organization.",
      icon: "",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      updated_at: expect.stringMatching(/Z$/),
      is_default: true,
    });
  });

  it("includes further memberships and leaves out deleted organizations", async () => {
    const extra = await addOrganization(w.app, "Platform", { members: [w.other.id] });
    await addOrganization(w.app, "gone", { members: [w.other.id], deleted: true });
    const res = await call(w.app, "GET", `/users/${w.other.username}/organizations`, w.owner.token);
    expect(res.status).toBe(200);
    expect(res.body.map((o: { name: string }) => o.name)).toEqual(["coder", "Platform"]);
    expect(res.body[1]).toMatchObject({
      id: extra.id,
      display_name: "PLATFORM",
      description: "The Platform org",
      icon: "/icon/x.svg",
      is_default: false,
    });
    expect((await call(w.app, "GET", "/users/me/organizations", w.other.token)).body).toEqual(res.body);
  });

  it("finds an organization by name, case-insensitively", async () => {
    const res = await call(w.app, "GET", "/users/me/organizations/coder", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: w.owner.orgId, name: "coder", is_default: true });
    expect((await call(w.app, "GET", "/users/me/organizations/CODER", w.member.token)).body.id).toBe(w.owner.orgId);
    const platform = await call(w.app, "GET", "/users/me/organizations/platform", w.other.token);
    expect(platform.status).toBe(200);
    expect(platform.body.name).toBe("Platform");
  });

  it("needs only the user to be visible: an auditor reads any organization through another user", async () => {
    const res = await call(w.app, "GET", `/users/${w.member.username}/organizations/platform`, w.auditor.token);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe("Platform");
  });
});
