// Owners are out of a user admin's reach, and the last owner who can sign in stays one: the attacks that
// removed or took over the only owner, each refused with nothing changed.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, gitSshKeys, userConfigs } from "../../../src/db/schema.ts";
import { type AddedUser, addUser, del, get, json, NEW_PASSWORD, put, send, userRow, useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });
let userAdmin: AddedUser;
beforeAll(async () => {
  userAdmin = await addUser(app, { username: "useradmin", roles: ["user-admin"], login: true });
});

/** Everything a request on `/users/{user}/...` could change about the user. */
async function snapshot(userId: string) {
  return {
    user: await userRow(app, userId),
    sshKey: await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, userId)),
    configs: await app.db.select().from(userConfigs).where(eq(userConfigs.userId, userId)),
    keys: (await app.db.select({ id: apiKeys.id, expiresAt: apiKeys.expiresAt }).from(apiKeys).where(eq(apiKeys.userId, userId))).sort(
      (a, b) => a.id.localeCompare(b.id),
    ),
  };
}

const onlyOwners = (what: string) => ({ message: `Only owners can ${what} an owner.` });

describe("a user admin on the only owner", () => {
  it("attack: a user admin deleting the only owner is refused, and the owner keeps working", async () => {
    const before = await snapshot(owner.userId);
    for (const user of [owner.userId, "owner"]) {
      const res = await del(app, `/users/${user}`, userAdmin.token);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(onlyOwners("delete"));
    }
    expect(await snapshot(owner.userId)).toEqual(before);
    expect((await get(app, "/users/me", owner.token)).status).toBe(200);
  });

  it("attack: a user admin renaming an owner is refused before the body is read", async () => {
    const before = await snapshot(owner.userId);
    for (const body of [{ username: "hijacked" }, { username: "owner", name: "Not Olivia" }, undefined]) {
      const res = await send(app, "PUT", `/users/${owner.userId}/profile`, userAdmin.token, body);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(onlyOwners("change the profile of"));
    }
    expect(await snapshot(owner.userId)).toEqual(before);
  });

  it("keeps the refusals that were already there: suspension, password and roles", async () => {
    const suspend = await put(app, `/users/${owner.userId}/status/suspend`, userAdmin.token);
    expect(await json(suspend)).toEqual({ message: 'You cannot suspend a user with the "owner" role. You must remove the role first.' });
    const password = await put(app, `/users/${owner.userId}/password`, userAdmin.token, { password: NEW_PASSWORD });
    expect([password.status, await json(password)]).toEqual([400, onlyOwners("change the password of")]);
    const roles = await put(app, `/users/${owner.userId}/roles`, userAdmin.token, { roles: ["owner"] });
    expect([roles.status, await json(roles)]).toEqual([403, onlyOwners("change the roles of")]);
  });

  const NOT_A_USER_ADMINS = ["/users/{user}/keys", "/users/{user}/webpush", "/users/{user}/notifications"];
  const OWNERS_ONLY = /^Only owners can .+ an owner\.$|^You cannot suspend a user with the "owner" role/;

  it("every route that changes a user, as the OpenAPI document lists them, refuses and changes nothing", async () => {
    const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await get(app, "/openapi.json", owner.token));
    const [ownKey] = await app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, owner.userId));
    const bodies: Record<string, unknown> = {
      "PUT /users/{user}/profile": { username: "hijacked" },
      "PUT /users/{user}/password": { password: NEW_PASSWORD },
      "PUT /users/{user}/roles": { roles: [] },
      "PUT /users/{user}/appearance": { theme_preference: "dark", terminal_font: "fira-code" },
      "PUT /users/{user}/preferences": { thinking_display_mode: "preview" },
      "POST /users/{user}/keys/tokens": { token_name: "stolen" },
    };
    // Routes no one but the user may use on an account, whatever roles the caller holds.
    const refusalOf: Record<string, RegExp> = {
      "POST /users/{user}/convert-login": /^You are not authorized to convert this user's login type\.$/,
    };
    const writes = Object.entries(doc.paths)
      .map(([path, methods]) => [path.replace(/^\/api\/v2/, ""), methods] as const)
      .filter(([path]) => path.startsWith("/users/{user}"))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => [m.toUpperCase(), path] as const))
      .filter(([method]) => method !== "GET" && method !== "HEAD");
    expect(writes.length).toBeGreaterThanOrEqual(12);
    const before = await snapshot(owner.userId);
    for (const [method, path] of writes) {
      const url = path.replace("{user}", owner.userId).replace("{keyid}", ownKey!.id);
      const res = await send(app, method, url, userAdmin.token, bodies[`${method} ${path}`]);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      // API keys, Web Push subscriptions and notification preferences are not a user admin's to manage on
      // anyone; every other route meets the owners-only rule.
      if (!NOT_A_USER_ADMINS.some((prefix) => path.startsWith(prefix))) {
        expect((await json(res)).message, `${method} ${path}`).toMatch(refusalOf[`${method} ${path}`] ?? OWNERS_ONLY);
      }
    }
    expect(await snapshot(owner.userId)).toEqual(before);
  });

  it("leaves a user admin its power over everyone else, and an owner its power over other owners", async () => {
    const member = await addUser(app, { username: "plain" });
    expect((await put(app, `/users/${member.id}/profile`, userAdmin.token, { username: "renamed-plain" })).status).toBe(200);
    expect((await put(app, `/users/${member.id}/gitsshkey`, userAdmin.token)).status).toBe(200);
    expect((await del(app, `/users/${member.id}`, userAdmin.token)).status).toBe(200);

    const second = await addUser(app, { username: "second-owner", roles: ["owner"] });
    expect((await put(app, `/users/${second.id}/profile`, owner.token, { username: "renamed-owner" })).status).toBe(200);
    expect((await put(app, `/users/${second.id}/gitsshkey`, owner.token)).status).toBe(200);
    expect((await put(app, `/users/${second.id}/roles`, owner.token, { roles: [] })).status).toBe(200);
    expect((await del(app, `/users/${second.id}`, owner.token)).status).toBe(200);
  });
});

describe("the last owner", () => {
  it("attack: the last owner deleting, suspending or demoting itself is refused", async () => {
    const before = await snapshot(owner.userId);
    const remove = await del(app, "/users/me", owner.token);
    expect([remove.status, await json(remove)]).toEqual([403, { message: "You cannot delete yourself!" }]);
    const suspend = await put(app, "/users/me/status/suspend", owner.token);
    expect([suspend.status, await json(suspend)]).toEqual([400, { message: "You cannot suspend yourself." }]);
    const demote = await put(app, `/users/${owner.userId}/roles`, owner.token, { roles: [] });
    expect([demote.status, await json(demote)]).toEqual([400, { message: "You cannot change your own roles." }]);
    expect((await snapshot(owner.userId)).user).toEqual(before.user);
  });
});
