// Import from Coder: `npm run import:coder` against a database shaped like Coder's,
// created here, then logging in with a Coder PBKDF2 password and seeing the stored hash become argon2id.
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { gitSshKeys, organizationMembers, organizations, userLinks, users } from "../../../src/db/schema.ts";
import { API, json, post, startTestApp, type TestApp, withOwner } from "../../support/harness.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { runCommand } from "../../support/run-command.ts";
import { ALICE_PASSWORD, ALICE_SSH, ERIN_PASSWORD, ORG, seedCoder, USER } from "./coder-fixture.ts";

interface Summary {
  msg: string;
  users: { read: number; inserted: number; updated: number };
  organizations: { read: number; inserted: number; updated: number };
  memberships: { read: number; inserted: number; updated: number };
  userLinks: { read: number; inserted: number; updated: number };
  gitSshKeys: { read: number; inserted: number; updated: number };
  generatedSshKeys: number;
  droppedEncryptedTokens: number;
  skippedUserLinks: number;
  pbkdf2Passwords: number;
}

const importCoder = (from: string, into: string) =>
  runCommand("npm", ["run", "-s", "import:coder", "--", "--from", from], { DATABASE_URL: into });

const lastLine = <T>(out: string) => JSON.parse(out.trim().split("\n").at(-1)!) as T;

let coder: TestDatabase;
let target: TestDatabase;
let first: Summary;
let gatehouse: TestApp;

beforeAll(async () => {
  [coder, target] = await Promise.all([createTestDatabase("coder_src"), createTestDatabase("coder_import")]);
  await seedCoder(coder.url);
  const run = await importCoder(coder.url, target.url);
  expect(run.code, run.stderr).toBe(0);
  first = lastLine<Summary>(run.stdout);
  gatehouse = await startTestApp({ databaseUrl: target.url });
}, 120_000);
afterAll(async () => {
  await gatehouse?.close();
  await Promise.all([coder?.drop(), target?.drop()]);
});

describe("npm run import:coder", () => {
  it("copies users, organizations, memberships, links and keys, and says what it did", () => {
    expect(first).toMatchObject({
      msg: "imported from Coder",
      users: { read: 7, inserted: 7, updated: 0 },
      organizations: { read: 2, inserted: 2, updated: 0 },
      memberships: { read: 7, inserted: 7, updated: 0 },
      // Dave is deleted: Coder kept his link, Gatehouse's trigger refuses links of deleted users.
      userLinks: { read: 3, inserted: 2, updated: 0 },
      gitSshKeys: { read: 2, inserted: 1, updated: 0 },
      // Carol's key was encrypted by Coder; bob, svc, dave, prebuilds and erin had none.
      generatedSshKeys: 6,
      droppedEncryptedTokens: 1,
      skippedUserLinks: 1,
      pbkdf2Passwords: 2,
    });
  });

  it("keeps Coder's ids, takes over Coder's default organization, and converts the columns", async () => {
    const db = gatehouse.db;
    const orgs = await db.select().from(organizations).orderBy(organizations.name);
    expect(orgs.map((o) => [o.id, o.name, o.displayName, o.isDefault])).toEqual([
      [ORG.acme, "acme", "Acme", false],
      [ORG.coder, "coder", "Coder", true],
    ]);
    const [alice] = await db.select().from(users).where(eq(users.id, USER.alice));
    expect(alice).toMatchObject({
      email: "alice@example.com",
      username: "alice",
      name: "Alice A",
      status: "active",
      loginType: "password",
      // `member` is implied in Gatehouse, never stored.
      rbacRoles: ["owner"],
      // '2025-06-01 12:00:00' without time zone in Coder, which writes UTC.
      lastSeenAt: new Date("2025-06-01T12:00:00Z"),
      // Pending one-time passcodes are not carried over.
      hashedOneTimePasscode: null,
      oneTimePasscodeExpiresAt: null,
    });
    // bytea → text: Coder's PBKDF2 string, byte for byte.
    expect(alice!.hashedPassword).toMatch(/^\$pbkdf2-sha256\$65535\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{86}$/);
    const [bob] = await db.select().from(users).where(eq(users.id, USER.bob));
    // Coder's zero time '0001-01-01' means never seen: NULL here.
    expect(bob).toMatchObject({ lastSeenAt: null, hashedPassword: "", loginType: "github", status: "dormant", githubComUserId: 12345 });
    const [svc] = await db.select().from(users).where(eq(users.id, USER.svc));
    expect(svc).toMatchObject({ email: "", isServiceAccount: true, loginType: "none" });
    const [prebuilds] = await db.select().from(users).where(eq(users.id, USER.prebuilds));
    expect(prebuilds).toMatchObject({ isSystem: true });
    const [dave] = await db.select().from(users).where(eq(users.id, USER.dave));
    expect(dave).toMatchObject({ deleted: true });

    const aliceOrgs = await db.select().from(organizationMembers).where(eq(organizationMembers.userId, USER.alice));
    expect(aliceOrgs.map((m) => [m.organizationId, m.roles]).sort()).toEqual(
      [
        [ORG.coder, ["organization-admin"]],
        [ORG.acme, []],
      ].sort(),
    );

    const links = await db.select().from(userLinks).orderBy(userLinks.linkedId);
    expect(links.map((l) => [l.userId, l.loginType, l.linkedId, l.oauthAccessToken, l.oauthRefreshToken])).toEqual([
      [USER.bob, "github", "12345", "gho_plain", ""],
      // Encrypted by Coder (dbcrypt): unreadable without Coder's key, so dropped; the link itself is kept.
      [USER.carol, "oidc", "oidc|carol", "", ""],
    ]);
    expect(links[1]!.claims).toEqual({ merged_claims: { email: "carol@example.com", groups: ["eng"] } });
    expect(links[1]!.oauthExpiry).toBeNull();

    const keys = await db.select().from(gitSshKeys);
    expect(keys).toHaveLength(7);
    expect(keys.find((k) => k.userId === USER.alice)).toMatchObject({ privateKey: ALICE_SSH.private, publicKey: ALICE_SSH.public });
    expect(keys.find((k) => k.userId === USER.carol)!.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5/);
  });

  it("changes nothing when run again", async () => {
    const again = await importCoder(coder.url, target.url);
    expect(again.code, again.stderr).toBe(0);
    expect(lastLine<Summary>(again.stdout)).toMatchObject({
      users: { read: 7, inserted: 0, updated: 0 },
      organizations: { read: 2, inserted: 0, updated: 0 },
      memberships: { read: 7, inserted: 0, updated: 0 },
      userLinks: { read: 3, inserted: 0, updated: 0 },
      gitSshKeys: { read: 2, inserted: 0, updated: 0 },
      generatedSshKeys: 0,
    });
    const [{ n }] = (await gatehouse.db.select({ n: sql<number>`count(*)::int` }).from(users)) as [{ n: number }];
    expect(n).toBe(7);
  });
});

describe("logging in with a Coder password", () => {
  const storedHash = async (id: string) =>
    (await gatehouse.db.select({ h: users.hashedPassword }).from(users).where(eq(users.id, id)))[0]!.h;

  it("refuses a wrong password and leaves the PBKDF2 hash as it was", async () => {
    const before = await storedHash(USER.alice);
    const res = await post(gatehouse, "/users/login", { email: "alice@example.com", password: "Not-Her-Password-1!" });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
    expect(await storedHash(USER.alice)).toBe(before);
  });

  it("accepts the Coder password and stores an argon2id hash in its place", async () => {
    const res = await post(gatehouse, "/users/login", { email: "alice@example.com", password: ALICE_PASSWORD });
    expect(res.status).toBe(201);
    const { session_token } = await json<{ session_token: string }>(res);
    expect(await storedHash(USER.alice)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const me = await json<{ id: string; organization_ids: string[]; roles: { name: string }[] }>(
      await gatehouse.request(`${API}/users/me`, { token: session_token }),
    );
    expect(me.id).toBe(USER.alice);
    expect([...me.organization_ids].sort()).toEqual([ORG.coder, ORG.acme].sort());
    expect(me.roles.map((r) => r.name)).toEqual(["owner"]);

    // The password still works, now through argon2id.
    expect((await post(gatehouse, "/users/login", { email: "alice@example.com", password: ALICE_PASSWORD })).status).toBe(201);
    expect((await post(gatehouse, "/users/login", { email: "alice@example.com", password: "Not-Her-Password-1!" })).status).toBe(401);
  });

  it("a re-import keeps the newer argon2id hash (last writer wins) and takes newer changes from Coder", async () => {
    const c = new pg.Client({ connectionString: coder.url });
    await c.connect();
    try {
      await c.query("update users set name = 'Bob B', updated_at = now() where id = $1", [USER.bob]);
    } finally {
      await c.end();
    }
    const run = await importCoder(coder.url, target.url);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine<Summary>(run.stdout).users).toEqual({ read: 7, inserted: 0, updated: 1 });
    expect(await storedHash(USER.alice)).toMatch(/^\$argon2id\$/);
    const [bob] = await gatehouse.db.select({ name: users.name }).from(users).where(eq(users.id, USER.bob));
    expect(bob!.name).toBe("Bob B");
  });

  it("rehashes in the same transaction as the session key: if the key cannot be stored, neither is the hash", async () => {
    const before = await storedHash(USER.erin);
    expect(before).toMatch(/^\$pbkdf2-sha256\$1024\$/);
    await gatehouse.db.execute(sql`alter table api_keys add constraint ops_import_refuse_keys check (false) not valid`);
    // The 500's log line is expected; keep it out of the test output.
    vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await post(gatehouse, "/users/login", { email: "erin@example.com", password: ERIN_PASSWORD });
      expect(res.status).toBe(500);
    } finally {
      vi.restoreAllMocks();
      await gatehouse.db.execute(sql`alter table api_keys drop constraint ops_import_refuse_keys`);
    }
    expect(await storedHash(USER.erin)).toBe(before);
    // With the key storable again, the same (non-ASCII, 1024-iteration) password logs in and is upgraded.
    expect((await post(gatehouse, "/users/login", { email: "erin@example.com", password: ERIN_PASSWORD })).status).toBe(201);
    expect(await storedHash(USER.erin)).toMatch(/^\$argon2id\$/);
  });
});

describe("what the import refuses", () => {
  it("a Gatehouse database already in use: nothing is imported", async () => {
    const used = await createTestDatabase("coder_import_used");
    const app = await startTestApp({ databaseUrl: used.url });
    try {
      await withOwner(app);
      const run = await importCoder(coder.url, used.url);
      expect(run.code).toBe(1);
      expect(lastLine<{ msg: string; error: string }>(run.stderr)).toMatchObject({
        msg: "import failed; nothing was imported",
        error: expect.stringMatching(/default organization .* already has members; import into a fresh database$/),
      });
      const [{ n }] = (await app.db.select({ n: sql<number>`count(*)::int` }).from(users)) as [{ n: number }];
      expect(n).toBe(1);
    } finally {
      await app.close();
      await used.drop();
    }
  });

  it("a source that is not a Coder database", async () => {
    const [empty, into] = await Promise.all([createTestDatabase("coder_empty"), createTestDatabase("coder_import_none")]);
    try {
      const run = await importCoder(empty.url, into.url);
      expect(run.code).toBe(1);
      expect(lastLine<{ error: string }>(run.stderr).error).toBe('the source is not a Coder database: it has no table "users"');
    } finally {
      await Promise.all([empty.drop(), into.drop()]);
    }
  });

  it("a missing --from", async () => {
    const run = await runCommand("npm", ["run", "-s", "import:coder"], { DATABASE_URL: target.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("usage: npm run import:coder -- --from <postgres url");
  });
});
