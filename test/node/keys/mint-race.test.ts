// Minting an API key while the user's password changes. A password change deletes every key of the user
// (src/users/lifecycle/passwords.ts); a key written by a request that read the user before the change
// committed must not survive it. The key is written by one statement that holds a shared lock on the user's
// row and re-checks the password hash the request read (src/keys/issue-recorded.ts). Here a second
// connection holds the user's row, the request's insert waits on it, and the change commits in between:
// the finest interleaving, made deterministic. Needs the real Postgres at TEST_DATABASE_URL: PGlite runs
// one statement at a time, so nothing can wait on a lock.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, users } from "../../../src/db/schema.ts";
import { addUser, auditRowsFor, json, keysOf, send, someoneWaits, useTestApp } from "../../support/harness.ts";

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const { app, owner } = useTestApp({ owner: true, database: onPostgres ? "mint_race" : undefined });

/** Sends the request while another transaction holds the user's row, and runs `meanwhile` before letting go. */
async function whileRowHeld(userId: string, request: () => Promise<Response>, meanwhile: (tx: typeof app.db) => Promise<void>) {
  let pending: Promise<Response> | undefined;
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from ${users} where ${users.id} = ${userId} for update`);
    pending = request();
    await someoneWaits(app);
    await meanwhile(tx as unknown as typeof app.db);
  });
  return pending!;
}

/** What a password change commits (src/users/lifecycle/passwords.ts): a new hash, and every key of the user gone. */
const changePassword = (userId: string) => async (tx: typeof app.db) => {
  await tx.update(users).set({ hashedPassword: "$argon2id$changed" }).where(eq(users.id, userId));
  await tx.delete(apiKeys).where(eq(apiKeys.userId, userId));
};

describe.skipIf(!onPostgres)("minting a key while the user's password changes", () => {
  for (const [route, body] of [
    ["/users/me/keys/tokens", { token_name: "straddler" }],
    ["/users/me/keys", undefined],
  ] as const) {
    it(`attack: POST ${route} that read the user before the change commits gets no key, and leaves no record`, async () => {
      const user = await addUser(app, { username: `minter${route.length}`, login: true });
      const res = await whileRowHeld(user.id, () => send(app, "POST", route, user.token, body), changePassword(user.id));
      expect(res.status).toBe(409);
      expect(await json(res)).toMatchObject({ message: "The user changed while the key was being created." });
      expect(await keysOf(app, user.id)).toEqual([]);
      const [record] = await auditRowsFor(app, res);
      // The refusal is recorded as one (after the response), never as the creation it did not make.
      expect(record).toMatchObject({ statusCode: 409, action: "create", resourceType: "api_key" });
    });

    it(`POST ${route} that only waited for the user's row is created, with its record`, async () => {
      const user = await addUser(app, { username: `waiter${route.length}`, login: true });
      const res = await whileRowHeld(
        user.id,
        () => send(app, "POST", route, user.token, body),
        async (tx) => {
          await tx.update(users).set({ name: "Renamed meanwhile" }).where(eq(users.id, user.id));
        },
      );
      expect(res.status).toBe(201);
      const { key } = await json<{ key: string }>(res);
      expect((await send(app, "GET", "/users/me", key)).status).toBe(200);
      expect(await keysOf(app, user.id)).toHaveLength(2);
      const records = await auditRowsFor(app, res);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ statusCode: 201, userId: user.id });
    });
  }

  it("an owner minting for a member whose password changes meanwhile gets no key for them", async () => {
    const member = await addUser(app, { username: "minted-for", login: true });
    const res = await whileRowHeld(
      member.id,
      () => send(app, "POST", `/users/${member.username}/keys/tokens`, owner.token, { token_name: "for-member" }),
      changePassword(member.id),
    );
    expect(res.status).toBe(409);
    expect(await keysOf(app, member.id)).toEqual([]);
  });
});
