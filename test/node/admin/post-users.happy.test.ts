// POST /users, the successful paths: defaults, statuses, organizations, login types, granted roles and
// everything the one transaction writes.
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { gitSshKeys, organizationMembers, users } from "../../../src/db/schema.ts";
import {
  addOrganization,
  createUser,
  json,
  listUsers,
  STRONG,
  tokenFor,
  userRow,
  type UsersPage,
  type UserView,
  useTestApp,
} from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const ZERO_TIME = "0001-01-01T00:00:00Z";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const { app, owner } = useTestApp({ owner: true });

describe("POST /users as the owner", () => {
  it("creates a dormant password user in the requested organization, in one transaction", async () => {
    const res = await createUser(app, owner.token, {
      email: "Alice@Example.com",
      username: "Alice",
      name: "Alice Anders",
      password: STRONG,
      organization_ids: [owner.organizationId],
    });
    expect(res.status).toBe(201);
    const user = await json<UserView>(res);
    expect(user).toMatchObject({
      username: "Alice",
      email: "Alice@Example.com",
      name: "Alice Anders",
      avatar_url: "",
      status: "dormant",
      login_type: "password",
      theme_preference: "",
      is_service_account: false,
      has_ai_seat: false,
      organization_ids: [owner.organizationId],
      roles: [],
    });
    expect(user.created_at).toMatch(RFC3339);
    expect(user.updated_at).toMatch(RFC3339);
    expect(user).not.toHaveProperty("hashed_password");
    expect(user).not.toHaveProperty("password");

    const row = await userRow(app, user.id);
    expect(row?.hashedPassword).toMatch(/^\$argon2id\$/);
    expect(row?.hashedPassword).not.toContain(STRONG);
    const memberships = await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, user.id));
    expect(memberships.map((m) => [m.organizationId, m.roles])).toEqual([[owner.organizationId, []]]);
    const [key] = await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, user.id));
    expect(key?.publicKey).toMatch(/^ssh-/);
    expect(JSON.stringify(user)).not.toContain(key!.privateKey.slice(40, 80));
  });

  it("lets the new user sign in with the password, which activates them", async () => {
    const login = await app.request("/api/v2/users/login", { method: "POST", json: { email: "alice@example.com", password: STRONG } });
    expect(login.status).toBe(201);
    const [row] = await app.db.select().from(users).where(eq(users.username, "Alice"));
    expect(row?.status).toBe("active");
  });

  it("honours user_status", async () => {
    for (const status of ["active", "suspended", "dormant"] as const) {
      const res = await createUser(app, owner.token, {
        email: `status-${status}@example.com`,
        username: `status-${status}`,
        password: STRONG,
        user_status: status,
        organization_ids: [owner.organizationId],
      });
      expect(res.status).toBe(201);
      expect((await json<UserView>(res)).status).toBe(status);
    }
  });

  it("reports a never-used user's last_seen_at as the zero time, and the caller's as now", async () => {
    const res = await createUser(app, owner.token, {
      email: "fresh@example.com",
      username: "fresh",
      password: STRONG,
      organization_ids: [owner.organizationId],
    });
    expect((await json<UserView>(res)).last_seen_at).toBe(ZERO_TIME);
    const list = await json<UsersPage>(await listUsers(app, owner.token, { q: "owner" }));
    const me = list.users.find((u) => u.id === owner.userId)!;
    expect(Math.abs(Date.parse(me.last_seen_at) - Date.now())).toBeLessThan(60_000);
  });

  it("maps the all-zero organization id to the default organization", async () => {
    const res = await createUser(app, owner.token, {
      email: "nil-org@example.com",
      username: "nil-org",
      password: STRONG,
      organization_ids: ["00000000-0000-0000-0000-000000000000"],
    });
    expect(res.status).toBe(201);
    expect((await json<UserView>(res)).organization_ids).toEqual([owner.organizationId]);
  });

  it("joins several organizations once each, in request order, accepting any UUID spelling Go accepts", async () => {
    const second = (await addOrganization(app, "second-org")).id;
    const res = await createUser(app, owner.token, {
      email: "multi@example.com",
      username: "multi",
      password: STRONG,
      organization_ids: [second.toUpperCase(), owner.organizationId, `{${second}}`, owner.organizationId.replaceAll("-", "")],
    });
    expect(res.status).toBe(201);
    const user = await json<UserView>(res);
    expect(user.organization_ids).toEqual([second, owner.organizationId]);
    const memberships = await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, user.id));
    expect(memberships.map((m) => m.organizationId).sort()).toEqual([second, owner.organizationId].sort());
  });

  it("creates a GitHub user without a password, defaulting name to empty", async () => {
    const res = await createUser(app, owner.token, {
      email: "octo@example.com",
      username: "octo",
      login_type: "github",
      organization_ids: [owner.organizationId],
    });
    expect(res.status).toBe(201);
    const user = await json<UserView>(res);
    expect(user).toMatchObject({ login_type: "github", name: "", status: "dormant" });
    expect((await userRow(app, user.id))?.hashedPassword).toBe("");
  });

  it("accepts JSON nulls for optional fields, as Go's decoder does", async () => {
    const res = await createUser(app, owner.token, {
      email: "nulls@example.com",
      username: "nulls",
      name: null,
      password: STRONG,
      login_type: null,
      user_status: null,
      roles: null,
      service_account: null,
      organization_ids: [owner.organizationId],
    });
    expect(res.status).toBe(201);
    expect(await json<UserView>(res)).toMatchObject({ name: "", login_type: "password", status: "dormant", roles: [] });
  });

  it("grants assignable site roles, keeping `member` implied rather than stored", async () => {
    const res = await createUser(app, owner.token, {
      email: "staff@example.com",
      username: "staff",
      password: STRONG,
      roles: ["auditor", "member", "template-admin", "auditor"],
      organization_ids: [owner.organizationId],
    });
    expect(res.status).toBe(201);
    const user = await json<UserView>(res);
    expect(user.roles).toEqual([
      { name: "auditor", display_name: "Auditor" },
      { name: "template-admin", display_name: "Template Admin" },
    ]);
    expect((await userRow(app, user.id))?.rbacRoles).toEqual(["auditor", "template-admin"]);
  });

  it("reuses the username and email of a deleted user", async () => {
    const first = await json<UserView>(
      await createUser(app, owner.token, {
        email: "gone@example.com",
        username: "gone",
        password: STRONG,
        organization_ids: [owner.organizationId],
      }),
    );
    await app.db.update(users).set({ deleted: true }).where(eq(users.id, first.id));
    const again = await createUser(app, owner.token, {
      email: "GONE@example.com",
      username: "Gone",
      password: STRONG,
      organization_ids: [owner.organizationId],
    });
    expect(again.status).toBe(201);
    expect((await json<UserView>(again)).id).not.toBe(first.id);
  });
});

describe("POST /users as a user admin", () => {
  it("creates users, granting only `member`", async () => {
    const [admin] = await app.db
      .insert(users)
      .values({ email: "ua@example.com", username: "user-admin-1", rbacRoles: ["user-admin"], status: "active" })
      .returning();
    const token = await tokenFor(app, admin!.id);
    const plain = await createUser(app, token, {
      email: "by-ua@example.com",
      username: "by-ua",
      password: STRONG,
      organization_ids: [owner.organizationId],
    });
    expect(plain.status).toBe(201);
    const withMember = await createUser(app, token, {
      email: "by-ua2@example.com",
      username: "by-ua2",
      password: STRONG,
      roles: ["member"],
      organization_ids: [owner.organizationId],
    });
    expect(withMember.status).toBe(201);
    expect((await json<UserView>(withMember)).roles).toEqual([]);
  });
});
