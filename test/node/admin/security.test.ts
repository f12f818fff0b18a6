// Who may list and create users: members see only themselves, readers see everyone but cannot create,
// user admins create but cannot grant what they cannot assign, scoped tokens see and touch nothing.
import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { users } from "../../../src/db/schema.ts";
import {
  addOrganization,
  addUser,
  createUser,
  json,
  listUsers,
  names,
  STRONG,
  tokenFor,
  userCount,
  type UsersPage,
  useTestApp,
} from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const { app, owner } = useTestApp({ owner: true });
const tokens: Record<"member" | "auditor" | "templateAdmin" | "userAdmin", string> = {
  member: "",
  auditor: "",
  templateAdmin: "",
  userAdmin: "",
};
let memberId = "";
/** username → id */
const ids: Record<string, string> = {};

const newUser = (extra: Record<string, unknown> = {}) => ({
  email: "fresh@example.com",
  username: "fresh",
  password: STRONG,
  organization_ids: [owner.organizationId],
  ...extra,
});
const NOT_AUTHORIZED = { message: "You are not authorized to create users." };

beforeAll(async () => {
  const member = await addUser(app, { username: "mia", email: "Mia@Example.com", login: true });
  memberId = member.id;
  tokens.member = member.token;
  const auditor = await addUser(app, { username: "audrey", roles: ["auditor"], login: true });
  tokens.auditor = auditor.token;
  ids.audrey = auditor.id;
  const templateAdmin = await addUser(app, { username: "tom", roles: ["template-admin"], login: true });
  tokens.templateAdmin = templateAdmin.token;
  ids.tom = templateAdmin.id;
  tokens.userAdmin = (await addUser(app, { username: "ursula", roles: ["user-admin"], login: true })).token;
});

const EVERYONE = ["audrey", "mia", "owner", "tom", "ursula"];

describe("GET /users visibility", () => {
  it("shows a member only themselves, with count 1", async () => {
    expect(await names(app, tokens.member)).toEqual({ names: ["mia"], count: 1 });
    expect(await names(app, tokens.member, { q: "role:owner" })).toEqual({ names: [], count: 0 });
    expect(await names(app, tokens.member, { q: "owner" })).toEqual({ names: [], count: 0 });
    expect(await names(app, tokens.member, { q: "mia" })).toEqual({ names: ["mia"], count: 1 });
  });

  it("shows auditors, template admins, user admins and owners everyone", async () => {
    for (const token of [tokens.auditor, tokens.templateAdmin, tokens.userAdmin, owner.token]) {
      expect(await names(app, token)).toEqual({ names: EVERYONE, count: EVERYONE.length });
    }
  });

  it("shows a token scoped to application_connect no one", async () => {
    const scoped = await tokenFor(app, owner.userId, { scopes: ["coder:application_connect"] });
    expect(await json<UsersPage>(await listUsers(app, scoped))).toEqual({ users: [], count: 0 });
  });

  it("attack: a member probing after_id with the id of a user it cannot see learns nothing", async () => {
    // A random UUID is what "no such user" looks like: an empty page.
    const unknown = await listUsers(app, tokens.member, { after_id: crypto.randomUUID() });
    const expected = { status: unknown.status, text: await unknown.text() };
    expect(expected).toEqual({ status: 200, text: JSON.stringify({ users: [], count: 0 }) });
    // "audrey" sorts before the member's own "mia", "tom" after it, "owner" is an owner: none may be told apart.
    for (const hidden of [ids.audrey!, ids.tom!, owner.userId]) {
      const res = await listUsers(app, tokens.member, { after_id: hidden });
      expect({ status: res.status, text: await res.text() }, hidden).toEqual(expected);
    }
    // The member's own id is a cursor it may use.
    expect(await names(app, tokens.member, { after_id: memberId })).toEqual({ names: [], count: 0 });
    // Whoever may read everyone pages on from the same cursor.
    expect(await names(app, owner.token, { after_id: ids.audrey! })).toEqual({ names: ["mia", "owner", "tom", "ursula"], count: 4 });
  });

  it("attack: a system user's id as after_id reads as an unknown cursor, even for an owner", async () => {
    const system = await addUser(app, { username: "aaa-system" });
    await app.db.update(users).set({ isSystem: true }).where(eq(users.id, system.id));
    try {
      expect(await names(app, owner.token, { after_id: system.id })).toEqual({ names: [], count: 0 });
    } finally {
      await app.db.update(users).set({ deleted: true }).where(eq(users.id, system.id));
    }
  });

  it("refuses forged and missing tokens", async () => {
    expect((await listUsers(app, "not-a-token")).status).toBe(401);
    expect((await app.request("/api/v2/users")).status).toBe(401);
  });

  it("keeps q out of the SQL text", async () => {
    const q = `'; drop table users; -- " or 1=1 role:"owner') or true --"`;
    const res = await listUsers(app, owner.token, { q });
    expect(res.status).toBe(200);
    expect((await json<UsersPage>(res)).users).toEqual([]);
    expect(await userCount(app)).toBeGreaterThan(0);
  });

  it("never returns secrets", async () => {
    const text = await (await listUsers(app, owner.token)).text();
    const [row] = await app.db.select({ hash: users.hashedPassword }).from(users).where(eq(users.id, memberId));
    expect(text).not.toContain(row!.hash);
    expect(text).not.toMatch(/hashed_password|private_key|one_time_passcode/);
  });
});

describe("POST /users authorization", () => {
  it("refuses a member with 403 and writes nothing", async () => {
    const before = await userCount(app);
    const res = await createUser(app, tokens.member, newUser());
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(NOT_AUTHORIZED);
    expect(await userCount(app)).toBe(before);
  });

  it("answers a member re-using their own username or email 409, and a clash with an invisible user 403", async () => {
    for (const clash of [{ username: "MIA" }, { email: "mia@example.com" }]) {
      const res = await createUser(app, tokens.member, newUser(clash));
      expect(res.status).toBe(409);
      expect(await json(res)).toEqual({ message: "User already exists." });
    }
    const hidden = await createUser(app, tokens.member, newUser({ username: "owner" }));
    expect(hidden.status).toBe(403);
    expect(await json(hidden)).toEqual(NOT_AUTHORIZED);
  });

  it("answers a member naming an organization they cannot see 404", async () => {
    const other = (await addOrganization(app, "elsewhere")).id;
    const res = await createUser(app, tokens.member, newUser({ organization_ids: [other] }));
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: `Organization does not exist with the provided id "${other}".` });
  });

  it("refuses auditors and template admins: they read users but cannot create them", async () => {
    for (const token of [tokens.auditor, tokens.templateAdmin]) {
      const res = await createUser(app, token, newUser());
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual(NOT_AUTHORIZED);
    }
    // Readers see every user, so a clash is a conflict for them.
    expect((await createUser(app, tokens.auditor, newUser({ username: "owner" }))).status).toBe(409);
  });

  it("refuses a user admin granting a role they cannot assign, creating nothing", async () => {
    for (const role of ["owner", "auditor", "user-admin", "template-admin"]) {
      const before = await userCount(app);
      const res = await createUser(app, tokens.userAdmin, newUser({ roles: [role] }));
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual(NOT_AUTHORIZED);
      expect(await userCount(app)).toBe(before);
    }
  });

  it("refuses a token scoped to application_connect: it cannot even see the organization", async () => {
    const scoped = await tokenFor(app, owner.userId, { scopes: ["coder:application_connect"] });
    const res = await createUser(app, scoped, newUser({ username: "scoped" }));
    expect(res.status).toBe(404);
  });

  it("refuses a suspended user's session", async () => {
    const suspended = await addUser(app, { username: "sus", roles: ["user-admin"] });
    const token = await tokenFor(app, suspended.id);
    await app.db.update(users).set({ status: "suspended" }).where(eq(users.id, suspended.id));
    const res = await createUser(app, token, newUser({ username: "by-sus" }));
    expect(res.status).toBe(401);
    expect((await json(res)).message).toContain("Contact an admin");
  });

  it("lets a user admin create a plain user, after which the new user sees only themselves", async () => {
    const res = await createUser(
      app,
      tokens.userAdmin,
      newUser({ username: "made-by-ua", email: "ua-made@example.com", user_status: "active" }),
    );
    expect(res.status).toBe(201);
    const login = await app.request("/api/v2/users/login", { method: "POST", json: { email: "ua-made@example.com", password: STRONG } });
    const { session_token } = (await login.json()) as { session_token: string };
    expect(await names(app, session_token)).toEqual({ names: ["made-by-ua"], count: 1 });
    // The table is untouched by any of the refusals above beyond the users created on purpose.
    const refused = await app.db
      .select({ id: users.id })
      .from(users)
      .where(inArray(users.username, ["fresh", "scoped", "by-sus"]));
    expect(refused).toEqual([]);
  });
});
