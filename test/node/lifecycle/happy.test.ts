// Successful delete, suspend/activate, profile, password and role changes
// (https://github.com/coder/coder/blob/main/coderd/users.go), with their effect on the database.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizationMembers, userLinks, users } from "../../../src/db/schema.ts";
import {
  addUser,
  del,
  get,
  json,
  keyCount,
  linkCount,
  login,
  NEW_PASSWORD,
  put,
  userRow,
  type UserView,
  useTestApp,
} from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

describe("DELETE /users/{user}", () => {
  it("soft-deletes a member, ends their sessions and links, frees their name and email", async () => {
    const member = await addUser(app, { username: "doomed", login: true });
    await app.db.insert(userLinks).values({ userId: member.id, loginType: "github", linkedId: "gh-1" });

    const res = await del(app, `/users/${member.id}`, owner.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "User has been deleted!" });

    expect((await userRow(app, member.id)).deleted).toBe(true);
    expect(await keyCount(app, member.id)).toBe(0);
    expect(await linkCount(app, member.id)).toBe(0);
    // Memberships stay, as in Coder: the row is history, not a live member.
    expect(await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, member.id))).toHaveLength(1);

    const stale = await get(app, "/users/me", member.token);
    expect(stale.status).toBe(401);
    expect(await json(stale)).toMatchObject({ detail: "API key is invalid." });
    expect((await get(app, `/users/${member.username}`, owner.token)).status).toBe(404);
    expect((await get(app, `/users/${member.id}`, owner.token)).status).toBe(404);

    const again = await addUser(app, { username: "doomed", email: member.email });
    expect(again.id).not.toBe(member.id);
    expect((await del(app, "/users/doomed", owner.token)).status).toBe(200);
  });

  it("lets a user-admin delete a member", async () => {
    const admin = await addUser(app, { username: "ua-deleter", roles: ["user-admin"], login: true });
    const member = await addUser(app, { username: "ua-victim" });
    expect((await del(app, `/users/${member.username}`, admin.token)).status).toBe(200);
  });
});

describe("PUT /users/{user}/status/*", () => {
  it("suspends a member: their tokens get 401 at once, login is refused, activation restores the same tokens", async () => {
    const member = await addUser(app, { username: "napper", login: true });
    expect((await get(app, "/users/me", member.token)).status).toBe(200);

    const res = await put(app, `/users/${member.id}/status/suspend`, owner.token);
    expect(res.status).toBe(200);
    const body = await json<UserView>(res);
    expect(body).toMatchObject({ id: member.id, status: "suspended", organization_ids: [owner.organizationId] });
    expect((await userRow(app, member.id)).status).toBe("suspended");
    // Suspension keeps the keys; the session middleware refuses them.
    expect(await keyCount(app, member.id)).toBe(1);

    const refused = await get(app, "/users/me", member.token);
    expect(refused.status).toBe(401);
    expect(await json(refused)).toEqual({
      message: 'User is not active (status = "suspended"). Contact an admin to reactivate your account.',
    });
    const relogin = await app.request("/api/v2/users/login", { method: "POST", json: { email: member.email, password: member.password } });
    expect(relogin.status).toBe(401);
    expect((await json(relogin)).message).toContain("suspended");

    const activated = await put(app, `/users/${member.id}/status/activate`, owner.token);
    expect(activated.status).toBe(200);
    expect(await json<UserView>(activated)).toMatchObject({ status: "active" });
    const back = await get(app, "/users/me", member.token);
    expect(back.status).toBe(200);
    expect(await json<UserView>(back)).toMatchObject({ id: member.id, status: "active" });
  });

  it("activates a dormant user and treats activating an active user as a no-op success", async () => {
    const dormant = await addUser(app, { username: "sleeper", status: "dormant" });
    const res = await put(app, `/users/${dormant.username}/status/activate`, owner.token);
    expect(res.status).toBe(200);
    expect(await json<UserView>(await get(app, `/users/${dormant.id}`, owner.token))).toMatchObject({ status: "active" });
    const again = await put(app, `/users/${dormant.id}/status/activate`, owner.token);
    expect(again.status).toBe(200);
    expect(await json<UserView>(again)).toMatchObject({ status: "active" });
  });

  it("lets a user-admin suspend a member", async () => {
    const admin = await addUser(app, { username: "ua-suspender", roles: ["user-admin"], login: true });
    const member = await addUser(app, { username: "ua-suspended" });
    const res = await put(app, `/users/${member.id}/status/suspend`, admin.token);
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ status: "suspended" });
  });
});

describe("PUT /users/{user}/profile", () => {
  it("lets the owner change their own username and name", async () => {
    const before = await userRow(app, owner.userId);
    const res = await put(app, "/users/me/profile", owner.token, { username: "olivia", name: "Olivia O." });
    expect(res.status).toBe(200);
    const body = await json<UserView>(res);
    expect(body).toMatchObject({
      id: owner.userId,
      username: "olivia",
      name: "Olivia O.",
      roles: [{ name: "owner", display_name: "Owner" }],
    });
    expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    expect((await userRow(app, owner.userId)).email).toBe(before.email);
    expect((await put(app, "/users/me/profile", owner.token, { username: "owner", name: "Olivia Owner" })).status).toBe(200);
  });

  it("lets a member change their name when the username stays", async () => {
    const member = await addUser(app, { username: "renamer", login: true });
    const res = await put(app, "/users/me/profile", member.token, { username: "renamer", name: "Ren Amer" });
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ username: "renamer", name: "Ren Amer" });
    expect((await userRow(app, member.id)).name).toBe("Ren Amer");
  });

  it("lets an admin rename a member, a change of case included, and clears an omitted name as Coder does", async () => {
    const member = await addUser(app, { username: "casey", login: true });
    await put(app, `/users/${member.id}/profile`, owner.token, { username: "casey", name: "Casey" });
    const res = await put(app, `/users/${member.id}/profile`, owner.token, { username: "Casey" });
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ username: "Casey", name: "" });
  });

  it("sets the avatar of a password user and keeps an SSO user's", async () => {
    const member = await addUser(app, { username: "pictured", login: true });
    const url = "https://example.com/me.png";
    const res = await put(app, "/users/me/profile", member.token, { username: "pictured", avatar_url: url });
    expect(await json<UserView>(res)).toMatchObject({ avatar_url: url });
    const kept = await put(app, "/users/me/profile", member.token, { username: "pictured", name: "P" });
    expect(await json<UserView>(kept)).toMatchObject({ avatar_url: url });

    const sso = await addUser(app, { username: "sso-pictured", loginType: "oidc" });
    const ssoRes = await put(app, `/users/${sso.id}/profile`, owner.token, { username: "sso-pictured", avatar_url: url });
    expect(ssoRes.status).toBe(200);
    expect(await json<UserView>(ssoRes)).toMatchObject({ avatar_url: "" });
  });
});

describe("PUT /users/{user}/password", () => {
  it("lets an owner reset a member's password without the old one: all their keys go, OTP cleared", async () => {
    const member = await addUser(app, { username: "resetme", login: true });
    await login(app, member.email, member.password);
    await app.db
      .update(users)
      .set({ hashedOneTimePasscode: await app.deps.hasher.hash("otp"), oneTimePasscodeExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(users.id, member.id));
    expect(await keyCount(app, member.id)).toBe(2);

    const res = await put(app, `/users/${member.id}/password`, owner.token, { password: NEW_PASSWORD });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    const row = await userRow(app, member.id);
    expect(await app.deps.hasher.verify(row.hashedPassword, NEW_PASSWORD)).toBe(true);
    expect(row.hashedOneTimePasscode).toBeNull();
    expect(row.oneTimePasscodeExpiresAt).toBeNull();
    expect(await keyCount(app, member.id)).toBe(0);
    expect((await get(app, "/users/me", member.token)).status).toBe(401);
    expect(await login(app, member.email, NEW_PASSWORD)).toBeTruthy();
    // The owner's own session is untouched.
    expect((await get(app, "/users/me", owner.token)).status).toBe(200);
  });

  it("lets a user-admin reset a member's password", async () => {
    const admin = await addUser(app, { username: "ua-resetter", roles: ["user-admin"], login: true });
    const member = await addUser(app, { username: "ua-reset", login: true });
    expect((await put(app, `/users/${member.username}/password`, admin.token, { password: NEW_PASSWORD })).status).toBe(204);
    expect((await get(app, "/users/me", member.token)).status).toBe(401);
  });

  it("lets a member change their own password with the old one, ending their own session too", async () => {
    const member = await addUser(app, { username: "selfchange", login: true });
    const other = await login(app, member.email, member.password);
    const res = await put(app, "/users/me/password", member.token, { old_password: member.password, password: NEW_PASSWORD });
    expect(res.status).toBe(204);
    expect(await keyCount(app, member.id)).toBe(0);
    expect((await get(app, "/users/me", member.token)).status).toBe(401);
    expect((await get(app, "/users/me", other)).status).toBe(401);
    expect(await login(app, member.email, NEW_PASSWORD)).toBeTruthy();
  });

  it("lets an owner reset another owner's password", async () => {
    const second = await addUser(app, { username: "owner-two", roles: ["owner"] });
    expect((await put(app, `/users/${second.id}/password`, owner.token, { password: NEW_PASSWORD })).status).toBe(204);
    expect(await login(app, second.email, NEW_PASSWORD)).toBeTruthy();
  });
});

describe("GET and PUT /users/{user}/roles", () => {
  it("lists stored roles only", async () => {
    const res = await get(app, "/users/me/roles", owner.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ roles: ["owner"], organization_roles: { [owner.organizationId]: [] } });
  });

  it("grants, deduplicates and removes site roles", async () => {
    const member = await addUser(app, { username: "promoted" });
    const res = await put(app, `/users/${member.id}/roles`, owner.token, { roles: ["template-admin"] });
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ id: member.id, roles: [{ name: "template-admin", display_name: "Template Admin" }] });

    const deduped = await put(app, `/users/${member.id}/roles`, owner.token, { roles: ["auditor", "auditor", "member", "template-admin"] });
    expect(deduped.status).toBe(200);
    expect((await userRow(app, member.id)).rbacRoles).toEqual(["auditor", "template-admin"]);
    const listed = await get(app, `/users/${member.id}/roles`, owner.token);
    expect(await listed.json()).toEqual({ roles: ["auditor", "template-admin"], organization_roles: { [owner.organizationId]: [] } });

    const cleared = await put(app, `/users/${member.id}/roles`, owner.token, { roles: null });
    expect(await json<UserView>(cleared)).toMatchObject({ roles: [] });
    expect((await userRow(app, member.id)).rbacRoles).toEqual([]);
  });

  it("lets a user-admin set roles that change nothing but the implied member", async () => {
    const admin = await addUser(app, { username: "ua-roles", roles: ["user-admin"], login: true });
    const member = await addUser(app, { username: "ua-roled" });
    expect((await put(app, `/users/${member.id}/roles`, admin.token, { roles: [] })).status).toBe(200);
    expect((await put(app, `/users/${member.id}/roles`, admin.token, { roles: ["member"] })).status).toBe(200);
    expect((await userRow(app, member.id)).rbacRoles).toEqual([]);
  });
});
