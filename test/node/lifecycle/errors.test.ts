// Every refusal of delete, status, profile, password and roles, in the order Coder checks them
// (https://github.com/coder/coder/blob/main/coderd/users.go), and that a refusal changes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AddedUser,
  addUser,
  del,
  FORBIDDEN,
  get,
  json,
  keyCount,
  NEW_PASSWORD,
  NOT_FOUND,
  put,
  send,
  userRow,
  useTestApp,
} from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });
let member: AddedUser;
let auditor: AddedUser;
let userAdmin: AddedUser;
beforeAll(async () => {
  member = await addUser(app, { username: "member", login: true });
  auditor = await addUser(app, { username: "auditor", roles: ["auditor"], login: true });
  userAdmin = await addUser(app, { username: "useradmin", roles: ["user-admin"], login: true });
});

const RANDOM_ID = "7b0c1c55-8a0e-4c36-9a4a-3c2b8e0f0a11";
const tag = (name: string, value: string) => `Validation failed for tag "${name}" with value: "${value}"`;

describe("DELETE /users/{user} refusals", () => {
  it("refuses to delete yourself before checking permission", async () => {
    for (const token of [owner.token, member.token]) {
      const res = await del(app, "/users/me", token);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: "You cannot delete yourself!" });
    }
    expect((await userRow(app, member.id)).deleted).toBe(false);
  });

  it("answers 403 Forbidden to a caller who can see but not delete the user", async () => {
    const res = await del(app, `/users/${member.id}`, auditor.token);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(FORBIDDEN);
    expect((await userRow(app, member.id)).deleted).toBe(false);
    expect(await keyCount(app, member.id)).toBe(1);
  });

  it("answers 404 for an unknown user", async () => {
    const res = await del(app, `/users/${RANDOM_ID}`, owner.token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });
});

describe("PUT /users/{user}/status/* refusals", () => {
  it("refuses to suspend yourself, before the owner rule", async () => {
    const res = await put(app, "/users/me/status/suspend", owner.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "You cannot suspend yourself." });
  });

  it("refuses to suspend an owner, before the permission check", async () => {
    const other = await addUser(app, { username: "owner-b", roles: ["owner"], login: true });
    for (const token of [other.token, auditor.token]) {
      const res = await put(app, `/users/${owner.userId}/status/suspend`, token);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'You cannot suspend a user with the "owner" role. You must remove the role first.' });
    }
    expect((await userRow(app, owner.userId)).status).toBe("active");
  });

  it("answers 403 Forbidden without user:update", async () => {
    const suspend = await put(app, `/users/${member.id}/status/suspend`, auditor.token);
    expect(suspend.status).toBe(403);
    expect(await suspend.json()).toEqual(FORBIDDEN);
    expect((await userRow(app, member.id)).status).toBe("active");
    const activateSelf = await put(app, "/users/me/status/activate", member.token);
    expect(activateSelf.status).toBe(403);
    expect(await activateSelf.json()).toEqual(FORBIDDEN);
  });

  it("answers 404 for an unknown user", async () => {
    expect((await put(app, `/users/${RANDOM_ID}/status/activate`, owner.token)).status).toBe(404);
  });
});

describe("PUT /users/{user}/profile refusals", () => {
  it("answers 404 for an unknown user", async () => {
    const res = await put(app, `/users/${RANDOM_ID}/profile`, owner.token, { username: "whoever" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  it("answers 404 to a reader who may not edit, before reading the body", async () => {
    const res = await send(app, "PUT", `/users/${member.id}/profile`, auditor.token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  it("rejects a missing or malformed body", async () => {
    const empty = await send(app, "PUT", "/users/me/profile", member.token);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const bad = await app.request("/api/v2/users/me/profile", { method: "PUT", token: member.token, body: "{nope" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toBe("Request body must be valid JSON.");
  });

  it.each([
    [{ name: "x" }, "username", tag("required", "")],
    [{ username: "bad_name" }, "username", tag("username", "bad_name")],
    [{ username: "member", name: " Mr Bean" }, "name", tag("user_real_name", " Mr Bean")],
    [{ username: "member", avatar_url: "javascript:alert(1)" }, "avatar_url", tag("url", "javascript:alert(1)")],
  ])("validates %j", async (body, field, detail) => {
    const res = await put(app, "/users/me/profile", member.token, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Validation failed.", validations: [{ field, detail }] });
  });

  it("answers 404 when a member renames themselves, even to a taken name", async () => {
    for (const username of ["member-new", "Member", "auditor"]) {
      const res = await put(app, "/users/me/profile", member.token, { username });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(NOT_FOUND);
    }
    expect((await userRow(app, member.id)).username).toBe("member");
  });

  it("answers 409 with the validation entry for a taken username, case-insensitively", async () => {
    const res = await put(app, "/users/me/profile", owner.token, { username: "MEMBER", name: "changed" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      message: "A user with this username already exists.",
      validations: [{ field: "username", detail: "This username is already in use." }],
    });
    const row = await userRow(app, owner.userId);
    expect([row.username, row.name]).toEqual(["owner", "Olivia Owner"]);
  });
});

describe("PUT /users/{user}/password refusals, in order", () => {
  it("1. answers 404 to a caller without update_personal, whatever the body", async () => {
    for (const body of [undefined, { old_password: "wrong", password: NEW_PASSWORD }]) {
      const res = await send(app, "PUT", `/users/${member.id}/password`, auditor.token, body);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(NOT_FOUND);
    }
  });

  it("2. refuses a non-owner changing an owner's password, before the body", async () => {
    const res = await send(app, "PUT", `/users/${owner.userId}/password`, userAdmin.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Only owners can change the password of an owner." });
  });

  it("3. rejects a missing body, then a missing password", async () => {
    const empty = await send(app, "PUT", `/users/${member.id}/password`, owner.token);
    expect(await empty.json()).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const res = await put(app, `/users/${member.id}/password`, owner.token, { old_password: "x" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Validation failed.", validations: [{ field: "password", detail: tag("required", "") }] });
  });

  it("4. refuses users whose login type is not password", async () => {
    const sso = await addUser(app, { username: "sso-user", loginType: "github" });
    const res = await put(app, `/users/${sso.id}/password`, owner.token, { password: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Users without password login type cannot change their password." });
    expect((await userRow(app, sso.id)).hashedPassword).toBe("");
  });

  it("5. requires the old password when changing your own, owners too, before strength", async () => {
    for (const token of [member.token, owner.token]) {
      const res = await put(app, "/users/me/password", token, { password: "weak" });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: "Old password is required." });
    }
  });

  it("6. refuses a weak password, before checking the old one", async () => {
    const res = await put(app, "/users/me/password", member.token, { old_password: "wrong", password: "password" });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.message).toBe("Invalid password.");
    expect(body.validations).toHaveLength(1);
    expect(body.validations![0]!.field).toBe("password");
    expect(body.validations![0]!.detail).toMatch(/^insecure password/);
  });

  it("7. refuses a wrong old password, even from an admin", async () => {
    for (const [path, token] of [
      ["/users/me/password", member.token],
      [`/users/${member.id}/password`, owner.token],
    ] as const) {
      const res = await put(app, path, token, { old_password: "NotTheRightOne!", password: NEW_PASSWORD });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        message: "Old password is incorrect.",
        validations: [{ field: "old_password", detail: "Old password is incorrect." }],
      });
    }
  });

  it("8. refuses the current password as the new one", async () => {
    const res = await put(app, "/users/me/password", member.token, { old_password: member.password, password: member.password });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "New password cannot match old password." });
  });

  it("leaves the password and the keys alone after every refusal", async () => {
    const row = await userRow(app, member.id);
    expect(await app.deps.hasher.verify(row.hashedPassword, member.password)).toBe(true);
    expect(await keyCount(app, member.id)).toBe(1);
    expect((await get(app, "/users/me", member.token)).status).toBe(200);
  });
});

describe("GET and PUT /users/{user}/roles refusals", () => {
  it("answers 404 to GET without read_personal", async () => {
    const res = await get(app, `/users/${member.id}/roles`, auditor.token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  it("refuses changing your own roles, before the body", async () => {
    const res = await send(app, "PUT", "/users/me/roles", owner.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "You cannot change your own roles." });
  });

  it("validates the body", async () => {
    const res = await put(app, `/users/${member.id}/roles`, owner.token, { roles: "owner" });
    expect(res.status).toBe(400);
    expect((await json(res)).validations?.[0]?.field).toBe("roles");
  });

  it("refuses organization roles and unknown roles", async () => {
    const org = await put(app, `/users/${member.id}/roles`, owner.token, { roles: [`organization-admin:${owner.organizationId}`] });
    expect(org.status).toBe(400);
    expect(await org.json()).toEqual({ message: "Must only update site wide roles" });
    const unknown = await put(app, `/users/${member.id}/roles`, owner.token, { roles: ["template-admin", "nope"] });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ message: '"nope" is not a supported role' });
    expect((await userRow(app, member.id)).rbacRoles).toEqual([]);
  });

  it("answers 403 Forbidden for a role the caller may not grant or revoke", async () => {
    const grant = await put(app, `/users/${member.id}/roles`, userAdmin.token, { roles: ["owner"] });
    expect(grant.status).toBe(403);
    expect(await grant.json()).toEqual(FORBIDDEN);
    const revoke = await put(app, `/users/${auditor.id}/roles`, userAdmin.token, { roles: [] });
    expect(revoke.status).toBe(403);
    expect((await userRow(app, member.id)).rbacRoles).toEqual([]);
    expect((await userRow(app, auditor.id)).rbacRoles).toEqual(["auditor"]);
  });
});
