// Races decided by the database. Each scenario fires its requests at once and then checks the
// rows, not only the statuses. The 20-way POST /users/first race lives in test/node/concurrency.test.ts.
// Runs on a throwaway database of the real Postgres server at TEST_DATABASE_URL when set (true parallel
// connections, as CI runs it), otherwise on in-process PGlite, which runs one statement at a time: there the
// races cannot interleave as finely, but every outcome must still hold. (PGlite's socket server is no
// stand-in: it mixes the protocol messages of concurrent connections.)
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, gitSshKeys, organizationMembers, users } from "../../../src/db/schema.ts";
import { addUser, json, jwtPayload, send, useTestApp } from "../../support/harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PARALLEL = 20;
/** True parallel transactions on the Postgres at TEST_DATABASE_URL; else the in-process PGlite. */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const { app, owner } = useTestApp({ owner: true, database: onPostgres ? "concurrency" : undefined });

const jtiOf = (token: string) => jwtPayload(token).jti as string;

async function keyIds(userId: string): Promise<string[]> {
  return (await app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, userId))).map((r) => r.id).sort();
}

describe("parallel creates of one name", () => {
  it(`${PARALLEL} x POST /users with one username: one 201, the rest 409, one user with one membership and one SSH key`, async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        send(app, "POST", "/users", owner.token, {
          email: `twin${i}@example.com`,
          username: "twin",
          password: "SomeSecurePassword!",
          organization_ids: [owner.organizationId],
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PARALLEL - 1);
    for (const r of results.filter((r) => r.status === 409)) expect(await json(r)).toEqual({ message: "User already exists." });

    const rows = await app.db.select().from(users).where(sql`lower(${users.username}) = 'twin'`);
    expect(rows).toHaveLength(1);
    expect(await app.db.select().from(organizationMembers).where(eq(organizationMembers.userId, rows[0]!.id))).toHaveLength(1);
    expect(await app.db.select().from(gitSshKeys).where(eq(gitSshKeys.userId, rows[0]!.id))).toHaveLength(1);
    // The losers left nothing behind: every membership and SSH key belongs to a live user.
    const orphans = await app.db.execute(sql`
      select (select count(*) from organization_members m where not exists (select 1 from users u where u.id = m.user_id))
           + (select count(*) from gitsshkeys k where not exists (select 1 from users u where u.id = k.user_id)) as n`);
    expect(Number((orphans as unknown as { rows: { n: string }[] }).rows[0]!.n)).toBe(0);
  });

  it(`${PARALLEL} x POST /users with one email (different usernames): one 201, the rest 409`, async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        send(app, "POST", "/users", owner.token, {
          email: "same-email@example.com",
          username: `same-email-${i}`,
          password: "SomeSecurePassword!",
          organization_ids: [owner.organizationId],
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PARALLEL - 1);
    expect(await app.db.select().from(users).where(sql`lower(${users.email}) = 'same-email@example.com'`)).toHaveLength(1);
  });

  it(`${PARALLEL} x POST /users/me/keys/tokens with one token name: one 201, one key row`, async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () => send(app, "POST", "/users/me/keys/tokens", owner.token, { token_name: "ci-token" })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PARALLEL - 1);
    const rows = await app.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, owner.userId), eq(apiKeys.tokenName, "ci-token"), eq(apiKeys.loginType, "token")));
    expect(rows).toHaveLength(1);
    // The one token that was handed out is the one stored, and it works.
    const created = results.find((r) => r.status === 201)!;
    const { key } = await json<{ key: string }>(created);
    expect(jtiOf(key)).toBe(rows[0]!.id);
    expect((await send(app, "GET", "/users/me", key)).status).toBe(200);
  });
});

describe("sessions", () => {
  it(`${PARALLEL} parallel logins then ${PARALLEL} parallel logouts leave no key behind`, async () => {
    const user = await addUser(app, { username: "flurry", password: "FlurryPassword!123" });
    const logins = await Promise.all(
      Array.from({ length: PARALLEL }, () => send(app, "POST", "/users/login", undefined, { email: user.email, password: user.password })),
    );
    expect(logins.map((r) => r.status)).toEqual(Array(PARALLEL).fill(201));
    const tokens = await Promise.all(logins.map(async (r) => (await json<{ session_token: string }>(r)).session_token));
    expect(new Set(tokens.map(jtiOf)).size).toBe(PARALLEL);
    expect(await keyIds(user.id)).toEqual(tokens.map(jtiOf).sort());

    const logouts = await Promise.all(tokens.map((t) => send(app, "POST", "/users/logout", t)));
    expect(logouts.map((r) => r.status)).toEqual(Array(PARALLEL).fill(200));
    await app.settle();
    expect(await keyIds(user.id)).toEqual([]);
  });

  it("logins and logouts interleaved: afterwards exactly the sessions never logged out remain, and each works", async () => {
    const user = await addUser(app, { username: "interleave", password: "InterleavePassword!1" });
    const first = await Promise.all(
      Array.from({ length: 10 }, () => send(app, "POST", "/users/login", undefined, { email: user.email, password: user.password })),
    );
    const firstTokens = await Promise.all(first.map(async (r) => (await json<{ session_token: string }>(r)).session_token));
    // Log the first ten out while ten more log in, all at once.
    const [outs, ins] = await Promise.all([
      Promise.all(firstTokens.map((t) => send(app, "POST", "/users/logout", t))),
      Promise.all(
        Array.from({ length: 10 }, () => send(app, "POST", "/users/login", undefined, { email: user.email, password: user.password })),
      ),
    ]);
    expect(outs.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(ins.map((r) => r.status)).toEqual(Array(10).fill(201));
    const survivors = await Promise.all(ins.map(async (r) => (await json<{ session_token: string }>(r)).session_token));
    await app.settle();
    expect(await keyIds(user.id)).toEqual(survivors.map(jtiOf).sort());
    for (const t of firstTokens) expect((await send(app, "GET", "/users/me", t)).status).toBe(401);
    for (const t of survivors) expect((await send(app, "GET", "/users/me", t)).status).toBe(200);
  });

  it("the same session logged out 10 times at once: every call answers, the key is gone, no other key is touched", async () => {
    const user = await addUser(app, { username: "double-out", password: "DoubleOutPassword!1", login: true });
    const other = await send(app, "POST", "/users/login", undefined, { email: user.email, password: user.password });
    const otherToken = (await json<{ session_token: string }>(other)).session_token;
    const results = await Promise.all(Array.from({ length: 10 }, () => send(app, "POST", "/users/logout", user.token)));
    // The first to load the key logs out; a call that loads it after the delete is 401. Never a 5xx.
    for (const r of results) expect([200, 401]).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    expect(await keyIds(user.id)).toEqual([jtiOf(otherToken)]);
  });
});

describe("password change racing sign-ins", () => {
  it("no session signed in with the old password survives the change (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      const oldPassword = `OldPassword!${round}abcdef`;
      const newPassword = `NewPassword!${round}ghijkl`;
      const user = await addUser(app, { username: `racer-${round}`, password: oldPassword, login: true });
      const [change, ...logins] = await Promise.all([
        send(app, "PUT", "/users/me/password", user.token, { old_password: oldPassword, password: newPassword }),
        ...Array.from({ length: 6 }, () => send(app, "POST", "/users/login", undefined, { email: user.email, password: oldPassword })),
      ]);
      expect(change!.status).toBe(204);
      for (const r of logins) expect([201, 401]).toContain(r.status);
      await app.settle();

      // Whatever order the database chose, a token minted with the old password no longer works.
      const minted = await Promise.all(
        logins.filter((r) => r.status === 201).map(async (r) => (await json<{ session_token: string }>(r)).session_token),
      );
      for (const t of [user.token, ...minted]) expect((await send(app, "GET", "/users/me", t)).status).toBe(401);
      expect(await keyIds(user.id)).toEqual([]);
      // And the new password is the one that works.
      expect((await send(app, "POST", "/users/login", undefined, { email: user.email, password: oldPassword })).status).toBe(401);
      expect((await send(app, "POST", "/users/login", undefined, { email: user.email, password: newPassword })).status).toBe(201);
    }
  });

  it("sign-ins that check the old password before the change commits and write their key after it get no usable key", async () => {
    // Every password check made 150 ms slower, and sign-ins staggered across the change, so some read the
    // old hash before the change commits and reach their key insert after it: the window a check-then-insert
    // login would leave open.
    const hasher = app.deps.hasher;
    app.deps.hasher = { hash: (p) => hasher.hash(p), verify: async (h, p) => (await sleep(150), hasher.verify(h, p)) };
    try {
      const oldPassword = "StraddlePassword!1";
      const user = await addUser(app, { username: "straddle", password: oldPassword, login: true });
      const logins: Promise<Response>[] = [];
      const change = send(app, "PUT", "/users/me/password", user.token, { old_password: oldPassword, password: "StraddleNew!23456" });
      for (let i = 0; i < 48; i++) {
        logins.push(send(app, "POST", "/users/login", undefined, { email: user.email, password: oldPassword }));
        await sleep(25);
      }
      expect((await change).status).toBe(204);
      const results = await Promise.all(logins);
      const statuses = results.map((r) => r.status);
      for (const s of statuses) expect([201, 401]).toContain(s);
      // On Postgres both outcomes happen: the stagger really straddles the change. Embedded PGlite is one
      // database session, so audited requests (each one transaction with its audit row) run one at a time
      // there and the logins queued behind the change all meet the new password.
      if (onPostgres) expect(statuses).toContain(201);
      expect(statuses).toContain(401);
      await app.settle();
      const minted = await Promise.all(
        results.filter((r) => r.status === 201).map(async (r) => (await json<{ session_token: string }>(r)).session_token),
      );
      const usable = [];
      for (const t of minted) if ((await send(app, "GET", "/users/me", t)).status === 200) usable.push(jtiOf(t));
      expect(usable).toEqual([]);
      expect(await keyIds(user.id)).toEqual([]);
    } finally {
      app.deps.hasher = hasher;
    }
  });

  it("two password changes at once with the same old password: exactly one wins", async () => {
    const user = await addUser(app, { username: "two-changes", password: "StartPassword!123", login: true });
    const [a, b] = await Promise.all([
      send(app, "PUT", "/users/me/password", user.token, { old_password: "StartPassword!123", password: "FirstChoice!12345" }),
      send(app, "PUT", "/users/me/password", user.token, { old_password: "StartPassword!123", password: "SecondChoice!12345" }),
    ]);
    const statuses = [a!.status, b!.status].sort();
    // The loser either saw its old password already replaced (400) or its session already gone (401).
    expect(statuses[0]).toBe(204);
    expect([400, 401]).toContain(statuses[1]);
    const winner = a!.status === 204 ? "FirstChoice!12345" : "SecondChoice!12345";
    expect((await send(app, "POST", "/users/login", undefined, { email: user.email, password: winner })).status).toBe(201);
  });
});
