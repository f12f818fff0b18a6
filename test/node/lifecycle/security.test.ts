// Who cannot reach these endpoints at all, what never leaves the server, and races the database decides
// (https://github.com/coder/coder/blob/main/coderd/users.go, https://github.com/coder/coder/blob/main/coderd/rbac/roles.go).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { issueKey } from "../../../src/keys/issue.ts";
import { type AddedUser, addUser, get, keyCount, NEW_PASSWORD, NOT_FOUND, put, send, userRow, useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });
let member: AddedUser;
beforeAll(async () => {
  member = await addUser(app, { username: "member", login: true });
});

const routes = (userId: string): [string, string, unknown][] => [
  ["DELETE", `/users/${userId}`, undefined],
  ["PUT", `/users/${userId}/status/suspend`, undefined],
  ["PUT", `/users/${userId}/status/activate`, undefined],
  ["PUT", `/users/${userId}/profile`, { username: "hijacked" }],
  ["PUT", `/users/${userId}/password`, { password: NEW_PASSWORD }],
  ["GET", `/users/${userId}/roles`, undefined],
  ["PUT", `/users/${userId}/roles`, { roles: ["owner"] }],
];

describe("access", () => {
  it("requires a session on every /users/{user} lifecycle route", async () => {
    for (const [method, path, body] of routes(member.id)) {
      const res = await send(app, method, path, undefined, body);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("answers a member 404 on another user, for every route", async () => {
    for (const [method, path, body] of routes(owner.userId)) {
      const res = await send(app, method, path, member.token, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual(NOT_FOUND);
    }
    const row = await userRow(app, owner.userId);
    expect([row.deleted, row.status, row.username, row.rbacRoles]).toEqual([false, "active", "owner", ["owner"]]);
    expect(await app.deps.hasher.verify(row.hashedPassword, "SomeSecurePassword!")).toBe(true);
  });

  it("gives an application_connect token of the owner no power over users", async () => {
    const { token } = await issueKey(app.deps, app.db, {
      userId: owner.userId,
      loginType: "token",
      lifetimeMs: 3600_000,
      ip: "127.0.0.1",
      scopes: ["coder:application_connect"],
      tokenName: "app-connect",
    });
    for (const [method, path, body] of routes(member.id)) {
      const res = await send(app, method, path, token, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await userRow(app, member.id)).deleted).toBe(false);
  });

  it("does not let a suspended admin act with an existing session", async () => {
    const admin = await addUser(app, { username: "fallen-admin", roles: ["user-admin"], login: true });
    expect((await put(app, `/users/${admin.id}/status/suspend`, owner.token)).status).toBe(200);
    const res = await put(app, `/users/${member.id}/status/suspend`, admin.token);
    expect(res.status).toBe(401);
    expect((await userRow(app, member.id)).status).toBe("active");
  });
});

describe("secrets", () => {
  it("never returns hashes or passcodes in user bodies", async () => {
    // A stored passcode must not surface in any response either.
    await app.db
      .update(users)
      .set({ hashedOneTimePasscode: "otp-secret-hash", oneTimePasscodeExpiresAt: new Date(Date.now() + 3600_000) })
      .where(eq(users.id, member.id));
    const bodies = [
      await put(app, `/users/${member.id}/profile`, owner.token, { username: "member" }),
      await put(app, `/users/${member.id}/status/activate`, owner.token),
      await put(app, `/users/${member.id}/roles`, owner.token, { roles: [] }),
      await get(app, `/users/${member.id}/roles`, owner.token),
    ];
    for (const res of bodies) {
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toMatch(/argon2|otp-secret-hash|hashed|passcode/i);
    }
  });
});

describe("races decided by the database", () => {
  it("lets exactly one of ten concurrent renames to the same username win", async () => {
    const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => addUser(app, { username: `racer-${i}` })));
    const results = await Promise.all(racers.map((u) => put(app, `/users/${u.id}/profile`, owner.token, { username: "Podium" })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
  });

  it("deletes a user once when two deletes race", async () => {
    const target = await addUser(app, { username: "twice", login: true });
    const results = await Promise.all([1, 2].map(() => send(app, "DELETE", `/users/${target.id}`, owner.token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(await keyCount(app, target.id)).toBe(0);
  });
});
