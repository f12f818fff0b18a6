// GET /users search: every key of the q language, its quirks, and what is never listed
// (Coder's https://github.com/coder/coder/blob/main/coderd/searchquery/search.go).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { json, listUsers, names, seedUsers, type UsersPage, useTestApp } from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const { app, owner } = useTestApp({ owner: true });
let token = "";
const t = (iso: string) => new Date(iso);

beforeAll(async () => {
  token = owner.token;
  // The owner ("owner", owner@example.com, role owner, seen now) plus this cast.
  await seedUsers(app, [
    { username: "Alice", name: "Alice Anders", createdAt: t("2023-01-05T00:00:00Z"), lastSeenAt: t("2023-01-10T00:00:00Z") },
    { username: "bob", status: "suspended", rbacRoles: ["auditor"], createdAt: t("2023-01-20T00:00:00Z") },
    {
      username: "carol",
      status: "dormant",
      loginType: "github",
      githubComUserId: 7,
      createdAt: t("2023-02-01T00:00:00Z"),
      lastSeenAt: t("2023-01-15T12:00:00Z"),
    },
    {
      username: "dave-admin",
      email: "dave@corp.test",
      name: "Test Dave",
      rbacRoles: ["owner", "user-admin"],
      createdAt: t("2023-01-25T00:00:00Z"),
      lastSeenAt: t("2023-02-01T00:00:00Z"),
    },
    {
      username: "erin",
      loginType: "oidc",
      email: "erin@gmail.com",
      name: "Test Erin",
      createdAt: t("2023-03-01T00:00:00Z"),
      lastSeenAt: t("2023-03-01T00:00:00Z"),
    },
    { username: "before1", name: "Test Before", createdAt: t("2022-12-01T00:00:00Z"), lastSeenAt: t("2022-12-01T00:00:00Z") },
    {
      username: "nobody",
      status: "suspended",
      loginType: "none",
      createdAt: t("2023-01-02T00:00:00Z"),
      lastSeenAt: t("2023-01-02T00:00:00Z"),
    },
    {
      username: "svc-bot",
      email: "",
      isServiceAccount: true,
      loginType: "none",
      status: "dormant",
      createdAt: t("2023-01-03T00:00:00Z"),
      lastSeenAt: t("2023-01-03T00:00:00Z"),
    },
    // Never listed: deleted and system users.
    { username: "frank", deleted: true },
    { username: "prebuilds", isSystem: true, email: "prebuilds@system.test" },
  ]);
  // The owner's first authenticated request stamps last_seen_at (written after the response).
  await listUsers(app, token);
  await app.settle();
});

const EVERYONE = ["Alice", "before1", "bob", "carol", "dave-admin", "erin", "nobody", "owner", "svc-bot"];
const search = (q: string) => names(app, token, { q });

describe("GET /users listing", () => {
  it("lists every live, non-system user ordered by lower(username), with organization_ids", async () => {
    const res = await listUsers(app, token);
    expect(res.status).toBe(200);
    const page = await json<UsersPage>(res);
    expect(page.users.map((u) => u.username)).toEqual(EVERYONE);
    expect(page.count).toBe(EVERYONE.length);
    for (const u of page.users) {
      expect(u.organization_ids).toHaveLength(1);
      expect(u).not.toHaveProperty("hashed_password");
    }
    expect(page.users.find((u) => u.username === "dave-admin")?.roles).toEqual([
      { name: "owner", display_name: "Owner" },
      { name: "user-admin", display_name: "User Admin" },
    ]);
    expect(page.users.find((u) => u.username === "bob")?.last_seen_at).toBe("0001-01-01T00:00:00Z");
  });

  it("answers users: [] and count 0 when nothing matches", async () => {
    const res = await listUsers(app, token, { q: "nonexistent" });
    expect(await json(res)).toEqual({ users: [], count: 0 });
  });
});

describe("GET /users q language", () => {
  it("status lists", async () => {
    expect((await search("status:suspended,active")).names).toEqual(["Alice", "before1", "bob", "dave-admin", "erin", "nobody", "owner"]);
    expect((await search("status:active")).names).toEqual(["Alice", "before1", "dave-admin", "erin", "owner"]);
    expect((await search("status:ACTIVE")).names).toEqual(["Alice", "before1", "dave-admin", "erin", "owner"]);
    expect((await search("status:suspended")).names).toEqual(["bob", "nobody"]);
    expect(await search("status:suspended")).toEqual({ names: ["bob", "nobody"], count: 2 });
  });

  it("github_com_user_id; 0 means no filter", async () => {
    expect((await search("github_com_user_id:7")).names).toEqual(["carol"]);
    expect((await search("github_com_user_id:0")).names).toEqual(EVERYONE);
  });

  it("free text matches username or email case-insensitively, never the display name", async () => {
    expect((await search("ALI")).names).toEqual(["Alice"]);
    expect((await search("corp.test")).names).toEqual(["dave-admin"]);
    expect((await search("anders")).names).toEqual([]);
    expect((await search("search:gmail")).names).toEqual(["erin"]);
  });

  it("name: matches the display name", async () => {
    expect((await search("name:Test search:before1")).names).toEqual(["before1"]);
    expect((await search("name:test")).names).toEqual(["before1", "dave-admin", "erin"]);
  });

  it("role: owners only, case-insensitively", async () => {
    expect((await search("role:owner status:suspended,active")).names).toEqual(["dave-admin", "owner"]);
    expect((await search("role:OWNER status:suspended,active")).names).toEqual(["dave-admin", "owner"]);
    expect((await search("role:auditor")).names).toEqual(["bob"]);
  });

  it("role:member is everyone, but beside other roles it adds no one", async () => {
    expect((await search("role:member")).names).toEqual(EVERYONE);
    expect((await search("role:member,member")).names).toEqual(EVERYONE);
    expect((await search("role:member,owner")).names).toEqual(["dave-admin", "owner"]);
    expect((await search("role:user-admin,auditor")).names).toEqual(["bob", "dave-admin"]);
  });

  it("combines free text with keys, keys case-insensitive", async () => {
    expect((await search("i role:owner status:active")).names).toEqual(["dave-admin"]);
    expect((await search("I Role:Owner STATUS:Active")).names).toEqual(["dave-admin"]);
  });

  it("last_seen_before counts never-seen users as seen at the zero time", async () => {
    // 2023-01-16T00:00+12:00 is 2023-01-15T12:00Z: carol, seen exactly then, is included.
    expect((await search('last_seen_before:"2023-01-16T00:00:00+12:00"')).names).toEqual([
      "Alice",
      "before1",
      "bob",
      "carol",
      "nobody",
      "svc-bot",
    ]);
  });

  it("last_seen window", async () => {
    expect((await search('last_seen_before:"2023-01-14T23:59:59Z" last_seen_after:"2023-01-08T00:00:00Z"')).names).toEqual(["Alice"]);
    expect((await search('last_seen_after:"2023-02-01T00:00:00Z"')).names).toEqual(["dave-admin", "erin", "owner"]);
  });

  it("created_before / created_after / range", async () => {
    expect((await search('created_before:"2023-01-05T00:00:00Z"')).names).toEqual(["Alice", "before1", "nobody", "svc-bot"]);
    expect((await search('created_after:"2023-02-01T00:00:00Z"')).names).toEqual(["carol", "erin", "owner"]);
    expect((await search('created_after:"2023-01-04T00:00:00Z" created_before:"2023-01-31T23:59:59.999999Z"')).names).toEqual([
      "Alice",
      "bob",
      "dave-admin",
    ]);
  });

  it("login_type lists", async () => {
    expect((await search("login_type:none")).names).toEqual(["nobody", "svc-bot"]);
    expect((await search("login_type:oidc")).names).toEqual(["erin"]);
    expect((await search("login_type:none,github")).names).toEqual(["carol", "nobody", "svc-bot"]);
    expect((await search("status:suspended login_type:none")).names).toEqual(["nobody"]);
  });

  it("service_account accepts Go's booleans", async () => {
    expect((await search("service_account:true")).names).toEqual(["svc-bot"]);
    expect((await search("service_account:1")).names).toEqual(["svc-bot"]);
    expect((await search("service_account:f")).names).toEqual(EVERYONE.filter((n) => n !== "svc-bot"));
  });

  it("quirk: a quoted free-text term keeps its quotes, so it matches nothing", async () => {
    expect((await search('"alice"')).names).toEqual([]);
  });

  it("quirk: only the first value of a key counts; a second bare word is ignored", async () => {
    expect((await search("alice bob")).names).toEqual(["Alice"]);
    expect((await search("status:suspended status:active")).names).toEqual(["bob", "nobody"]);
  });

  it("treats empty values and the zero time as no filter, and a doubled ':' as one", async () => {
    expect((await search('status:"" name:""')).names).toEqual(EVERYONE);
    expect((await search('last_seen_after:"0001-01-01T00:00:00Z"')).names).toEqual(EVERYONE);
    expect((await search("status::suspended")).names).toEqual(["bob", "nobody"]);
  });

  it("accepts times Go accepts that JavaScript or Postgres spell differently", async () => {
    expect((await search('created_after:"0000-01-01T00:00:00Z"')).names).toEqual(EVERYONE);
    expect((await search('created_before:"9999-12-31T23:59:59.123456789-24:00"')).names).toEqual(EVERYONE);
    expect((await search('created_before:"2023-01-05T01:00:00,5+01:00"')).names).toEqual(["Alice", "before1", "nobody", "svc-bot"]);
    expect((await search('created_before:"2023-01-05t00:00:00z"')).names).toEqual(["Alice", "before1", "nobody", "svc-bot"]);
  });

  it("treats '%' and '_' in free text as wildcards, as Coder's ILIKE does", async () => {
    expect((await search("d_ve")).names).toEqual(["dave-admin"]);
  });
});
