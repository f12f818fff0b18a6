// GET and PUT /users/{user}/gitsshkey doing their job (https://github.com/coder/coder/blob/main/coderd/gitsshkey.go):
// what each answers and what it leaves in the database.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { gitSshKeys } from "../../../src/db/schema.ts";
import { call, sshKeygen, sshKeyRow, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();

const _EMPTY_APPEARANCE = { theme_preference: "", terminal_font: "", theme_mode: "", theme_light: "", theme_dark: "" };

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
