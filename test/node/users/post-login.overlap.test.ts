// POST /users/login sends its attempt's count and its read of the account together (src/security/rate-limit.ts
// `alongside`, src/users/sign-in-lookup.ts): on Workers, where each statement is a round trip to the
// database, a sign-in waits for two round trips in a row instead of three (docs/performance.md). Shown by
// holding the login counters' table: while the count waits for the lock, the account read has been sent.
// Needs the real Postgres at TEST_DATABASE_URL: PGlite runs one statement at a time, so nothing can wait.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rateLimits } from "../../../src/db/schema.ts";
import { addUser, getMe, json, recordStatements, send, someoneWaits, STRONG, useTestApp } from "../../support/harness.ts";

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const { app } = useTestApp({ env: { DISABLE_RATE_LIMITS: "false" }, database: onPostgres ? "login_overlap" : undefined });

/** The account lookup's statement (src/users/queries.ts). */
const isLookup = (statement: string) => statement.includes('lower("users"."email") = lower(');

describe.skipIf(!onPostgres)("a sign-in's count and account read", () => {
  it("are sent together: the account read is out while the count waits for its lock, and the sign-in then succeeds", async () => {
    await addUser(app, { username: "overlap", email: "overlap@example.com" });
    // Every statement the app's handle sends, in order (the suite's own polls among them).
    const sent = recordStatements(app);
    let pending: Promise<Response> | undefined;
    let lookupsMeanwhile = -1;
    await app.db.transaction(async (tx) => {
      await tx.execute(sql`lock table ${rateLimits} in exclusive mode`);
      pending = send(app, "POST", "/users/login", undefined, { email: "overlap@example.com", password: STRONG });
      // The count is the only statement that can wait: nothing else touches the held table before it returns.
      await someoneWaits(app);
      lookupsMeanwhile = sent.filter(isLookup).length;
    });
    // Before: the lookup was sent only once the count had come back, so never while it waited.
    expect(lookupsMeanwhile).toBe(1);
    const res = await pending!;
    expect(res.status).toBe(201);
    // The route used the read already made: no second lookup.
    expect(sent.filter(isLookup)).toHaveLength(1);
    const { session_token } = await json<{ session_token: string }>(res);
    expect((await getMe(app, session_token)).status).toBe(200);
    const counted = await app.db.select().from(rateLimits);
    expect(counted.map((r) => r.key.split("|")[1]).sort()).toEqual(["account", "ip"]);
  });
});
