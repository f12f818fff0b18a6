// A GET of /users/me/appearance, /preferences, /gitsshkey or /organizations sends its read of the caller's
// rows beside the session's actor query (src/users/target-reads.ts): on Workers, where each statement is a
// round trip to the database, the request waits for one round trip instead of two (docs/performance.md).
// Shown by holding the keys table, which only the actor query reads: while it waits for the lock, the
// route's own read has been sent. Needs the real Postgres at TEST_DATABASE_URL: PGlite runs one statement at
// a time, so nothing can wait.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import { addUser, getMe, json, recordStatements, send, someoneWaits, useTestApp } from "../../support/harness.ts";

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const { app } = useTestApp({ database: onPostgres ? "target_reads" : undefined });

const ROUTES = [
  { path: "appearance", isRead: (s: string) => s.includes('from "user_configs"'), body: { theme_preference: "" } },
  { path: "preferences", isRead: (s: string) => s.includes('from "user_configs"'), body: {} },
  { path: "gitsshkey", isRead: (s: string) => s.includes('from "gitsshkeys"'), body: { user_id: expect.any(String) } },
  { path: "organizations", isRead: (s: string) => s.includes('from "organizations"'), body: [{ is_default: true }] },
];

/** `path` requested while the keys table is held; how many of `isRead`'s statements were sent meanwhile. */
async function whileActorWaits(path: string, token: string, isRead: (s: string) => boolean, sent: readonly string[]) {
  let pending: Promise<Response> | undefined;
  let readsMeanwhile = -1;
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`lock table ${apiKeys} in access exclusive mode`);
    pending = send(app, "GET", path, token);
    // The actor query is the only statement that can wait: nothing else on these routes reads the held table.
    await someoneWaits(app);
    readsMeanwhile = sent.filter(isRead).length;
  });
  return { res: await pending!, readsMeanwhile };
}

/** A signed-in user whose key's first-use stamp (deferred, and a write to the keys table) is already done. */
async function settledUser(username: string) {
  const user = await addUser(app, { username, login: true });
  expect((await getMe(app, user.token)).status).toBe(200);
  await app.settle();
  return user;
}

describe.skipIf(!onPostgres)("a /users/me GET's read of the caller's rows", () => {
  it.each(ROUTES)("GET /users/me/$path: sent while the actor query waits, used by the route, answered as before", async (route) => {
    // Its first use stamps the key (a write to the table held below): done before the lock is taken.
    const user = await settledUser(`early-${route.path}`);
    const sent = recordStatements(app);

    const { res, readsMeanwhile } = await whileActorWaits(`/users/me/${route.path}`, user.token, route.isRead, sent);
    // Before: the read was sent only once the actor query had come back, so never while it waited.
    expect(readsMeanwhile).toBe(1);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject(route.body);
    // The route used the read already made: no second one.
    expect(sent.filter(route.isRead)).toHaveLength(1);
  });

  it("waits for the actor when the path names the caller by username: the target is known only once it is resolved", async () => {
    const user = await settledUser("early-by-name");
    const sent = recordStatements(app);
    const isRead = ROUTES[0]!.isRead;

    const { res, readsMeanwhile } = await whileActorWaits("/users/early-by-name/appearance", user.token, isRead, sent);
    expect(readsMeanwhile).toBe(0);
    expect(res.status).toBe(200);
    expect(sent.filter(isRead)).toHaveLength(1);
  });

  it("answers a revoked session 401, whatever the read started beside its actor query found", async () => {
    const user = await settledUser("early-revoked");
    await app.db.delete(apiKeys).where(sql`${apiKeys.userId} = ${user.id}`);
    const sent = recordStatements(app);

    const res = await send(app, "GET", "/users/me/gitsshkey", user.token);
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ detail: "API key is invalid." });
    // The read went out with the actor query, and its answer went nowhere.
    expect(sent.filter(ROUTES[2]!.isRead)).toHaveLength(1);
  });
});
