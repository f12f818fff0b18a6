// GET /users/{user}: resolution by me / id / username, who may read whom (a user you may not read does
// not exist: 404), soft deletion, and case-insensitive uniqueness decided by the database
// (https://github.com/coder/coder/blob/main/coderd/users.go).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, organizationMembers, users } from "../../../src/db/schema.ts";
import { uniqueViolation } from "../../../src/db/errors.ts";
import { get, insertMember, json, keysOf, login, NOT_FOUND, OWNER, post, type UserView, useTestApp } from "../../support/harness.ts";

const MEMBER = { email: "Member@Example.com", username: "Mia-Member", password: "SomeSecurePassword!" };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const { app, owner } = useTestApp({ owner: true });
let memberId = "";
let memberToken = "";

beforeAll(async () => {
  memberId = (await insertMember(app, MEMBER)).id;
  memberToken = await login(app, MEMBER.email, MEMBER.password);
});

async function insertUserRow(values: { email: string; username: string }) {
  try {
    await app.db.insert(users).values({ ...values, status: "active" });
    return undefined;
  } catch (err) {
    return uniqueViolation(err) ?? `not a unique violation: ${String(err)}`;
  }
}

describe("GET /users/{user} as the owner", () => {
  it.each([
    ["me", () => "me"],
    ["id", () => owner.userId],
    ["upper-cased id", () => owner.userId.toUpperCase()],
    ["username", () => OWNER.username],
    ["username in another case", () => OWNER.username.toUpperCase()],
  ])("finds the owner by %s", async (_how, param) => {
    const res = await get(app, `/users/${param()}`, owner.token);
    expect(res.status).toBe(200);
    const body = await json<UserView>(res);
    expect(body).toEqual({
      id: owner.userId,
      username: OWNER.username,
      name: OWNER.name,
      email: OWNER.email,
      avatar_url: "",
      created_at: expect.stringMatching(RFC3339),
      updated_at: expect.stringMatching(RFC3339),
      last_seen_at: expect.stringMatching(RFC3339),
      status: "active",
      login_type: "password",
      theme_preference: "",
      is_service_account: false,
      has_ai_seat: false,
      organization_ids: [owner.organizationId],
      roles: [{ name: "owner", display_name: "Owner" }],
    });
    expect(body).not.toHaveProperty("hashed_password");
  });

  it("reads a member, who has never been seen (zero last_seen_at) and no site roles", async () => {
    const res = await get(app, `/users/${memberId}`, owner.token);
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({
      id: memberId,
      username: MEMBER.username,
      email: MEMBER.email,
      status: "active",
      last_seen_at: "0001-01-01T00:00:00Z",
      organization_ids: [owner.organizationId],
      roles: [],
    });
  });

  it("reads a member by username, case-insensitively, keeping the stored case", async () => {
    const res = await get(app, "/users/mia-member", owner.token);
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ id: memberId, username: "Mia-Member" });
  });

  it.each([
    ["a random uuid", "3f0e1c1e-8f4b-4c52-9c55-3b1f0f3b9a10"],
    ["an unknown username", "nosuchname"],
    ["an invalid name", "bad_name"],
  ])("answers %s with the standard 404", async (_what, param) => {
    const res = await get(app, `/users/${param}`, owner.token);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual(NOT_FOUND);
  });

  it("requires a session", async () => {
    const res = await get(app, `/users/${owner.userId}`);
    expect(res.status).toBe(401);
  });
});

describe("GET /users/{user} as a plain member", () => {
  it("reads themself by me, id and username", async () => {
    for (const param of ["me", memberId, MEMBER.username.toLowerCase()]) {
      const res = await get(app, `/users/${param}`, memberToken);
      expect(res.status).toBe(200);
      expect(await json<UserView>(res)).toMatchObject({ id: memberId, username: MEMBER.username, roles: [] });
    }
  });

  it.each([
    ["id", () => owner.userId],
    ["username", () => OWNER.username],
  ])("gets 404, never 403, for the owner by %s", async (_how, param) => {
    const res = await get(app, `/users/${param()}`, memberToken);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual(NOT_FOUND);
  });

  it("cannot tell an existing user from a missing one", async () => {
    const existing = await get(app, `/users/${owner.userId}`, memberToken);
    const missing = await get(app, "/users/00000000-0000-4000-8000-000000000000", memberToken);
    expect(existing.status).toBe(missing.status);
    expect(await existing.json()).toEqual(await missing.json());
  });

  it("an auditor (site role) may read other users", async () => {
    const auditor = { email: "audrey@example.com", username: "audrey", password: "MySecurePassword!" };
    await insertMember(app, { ...auditor, rbacRoles: ["auditor"] });
    const token = await login(app, auditor.email, auditor.password);
    const res = await get(app, `/users/${owner.userId}`, token);
    expect(res.status).toBe(200);
    expect(await json<UserView>(res)).toMatchObject({ id: owner.userId });
    const self = await json<UserView>(await get(app, "/users/me", token));
    expect(self.roles).toEqual([{ name: "auditor", display_name: "Auditor" }]);
  });
});

describe("uniqueness among live users", () => {
  it("refuses a username differing only in case (users_username_lower_idx)", async () => {
    expect(await insertUserRow({ email: "someone-else@example.com", username: "OWNER" })).toBe("users_username_lower_idx");
  });

  it("refuses an email differing only in case (users_email_lower_idx)", async () => {
    expect(await insertUserRow({ email: "OWNER@EXAMPLE.COM", username: "someone-else" })).toBe("users_email_lower_idx");
  });
});

describe("a deleted user (soft delete)", () => {
  const GONE = { email: "gone@example.com", username: "gone", password: "SomeNewStrongPassword!" };
  let goneId = "";
  let goneToken = "";

  beforeAll(async () => {
    goneId = (await insertMember(app, GONE)).id;
    goneToken = await login(app, GONE.email, GONE.password);
    expect((await get(app, "/users/me", goneToken)).status).toBe(200);
    await app.db.insert(apiKeys).values({
      id: "GoneToken1",
      userId: goneId,
      loginType: "token",
      tokenName: "ci",
      expiresAt: new Date(Date.now() + 86400_000),
    });
    expect(await keysOf(app, goneId)).toHaveLength(2);
    await app.settle();
    await app.db.update(users).set({ deleted: true }).where(eq(users.id, goneId));
  });

  it("loses every API key (trigger), keeps its organization membership", async () => {
    expect(await keysOf(app, goneId)).toEqual([]);
    const memberships = await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, goneId));
    expect(memberships).toHaveLength(1);
  });

  it.each([
    ["id", () => goneId],
    ["username", () => GONE.username],
  ])("is 404 by %s", async (_how, param) => {
    const res = await get(app, `/users/${param()}`, owner.token);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual(NOT_FOUND);
  });

  it("its old session is refused as an invalid key", async () => {
    const res = await get(app, "/users/me", goneToken);
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ detail: "API key is invalid." });
  });

  it("cannot log in", async () => {
    const res = await post(app, "/users/login", { email: GONE.email, password: GONE.password });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
  });

  it("cannot be given a new API key (trigger)", async () => {
    await expect(
      app.db.insert(apiKeys).values({ id: "GoneToken2", userId: goneId, loginType: "password", expiresAt: new Date(Date.now() + 60_000) }),
    ).rejects.toThrow();
    expect(await keysOf(app, goneId)).toEqual([]);
  });

  it("frees its username and email for reuse, in any case", async () => {
    expect(await insertUserRow({ email: "GONE@example.com", username: "Gone" })).toBeUndefined();
    const res = await get(app, "/users/gone", owner.token);
    expect(res.status).toBe(200);
    const reborn = await json<UserView>(res);
    expect(reborn.id).not.toBe(goneId);
    expect(reborn.username).toBe("Gone");
    // ... and the live holder now blocks a third one.
    expect(await insertUserRow({ email: "gone@EXAMPLE.com", username: "gone-again" })).toBe("users_email_lower_idx");
  });
});
