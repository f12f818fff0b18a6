// A session's use is stamped after the response (src/keys/queries.ts recordKeyUse) while the same user may be
// changing their password in a transaction that updates the user and then deletes their keys. Both must take
// the user's row before the key's: in the other order each waits for the other and Postgres aborts one with
// a deadlock (40P01), losing the stamp or failing the password change. Real Postgres only: PGlite is one
// session, so nothing there runs concurrently.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, users } from "../../../src/db/schema.ts";
import { recordKeyUse } from "../../../src/keys/queries.ts";
import { addUser, useTestApp } from "../../support/harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.env.TEST_DATABASE_URL)("lock order of users and api_keys", () => {
  const { app } = useTestApp({ database: "lock_order" });

  it("attack: a key-use stamp racing a password change never deadlocks either of them", async () => {
    for (let round = 0; round < 3; round++) {
      const user = await addUser(app, { username: `locker-${round}`, login: true });
      const jti = JSON.parse(Buffer.from(user.token.split(".")[1]!, "base64url").toString()).jti as string;
      const [key] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, jti));
      const at = new Date();
      let stamp: Promise<unknown> | undefined;
      // The password change's two steps (src/users/lifecycle/passwords.ts), with the stamp started between them.
      await app.db.transaction(async (tx) => {
        await tx.update(users).set({ updatedAt: at }).where(eq(users.id, user.id));
        stamp = recordKeyUse(app.db, { keyId: jti, at, ip: "192.0.2.1", readExpiry: key!.expiresAt, expiresAt: key!.expiresAt });
        stamp.catch(() => {});
        // Long enough for the stamp to take every lock it takes before it has to wait.
        await sleep(300);
        await tx.delete(apiKeys).where(eq(apiKeys.userId, user.id));
      });
      await expect(stamp).resolves.toBeUndefined();
      // The stamp ran after the commit: the key is gone and stays gone; the user's last-seen time is untouched.
      expect(await app.db.select().from(apiKeys).where(eq(apiKeys.userId, user.id))).toEqual([]);
    }
  });
});
