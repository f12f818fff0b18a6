// A key expired while a request that uses it is in flight stays expired. The request's deferred bookkeeping
// write (last used, sliding expiry) runs after the response, and used to store the expiry it computed from
// the value it had read, undoing a `PUT /keys/{id}/expire` that committed in between.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import { call, holdDeferred, jwtPayload, useWorld } from "../../support/harness.ts";

const world = useWorld();

describe("PUT /users/{user}/keys/{keyid}/expire racing a request that uses the key", () => {
  it("attack: an expire committed between the actor query and the deferred last-used write is not undone", async () => {
    const { app, member } = world;
    const keyId = jwtPayload(member.token).jti as string;
    // An old enough stamp and an expiry close enough that the next use slides the expiry forward.
    const soon = new Date(Date.now() + 30 * 60_000);
    await app.db
      .update(apiKeys)
      .set({ expiresAt: soon, lastUsed: new Date(Date.now() - 2 * 3600_000) })
      .where(eq(apiKeys.id, keyId));

    const held = holdDeferred(app);
    expect((await call(app, "GET", "/users/me", member.token)).status).toBe(200);
    // The stolen session is noticed and expired while the request's bookkeeping has not run yet.
    const expired = await call(app, "PUT", `/users/me/keys/${keyId}/expire`, world.owner.token);
    expect(expired.status).toBe(204);
    await held.release();

    const [row] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
    expect(row!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(row!.lastUsed.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await call(app, "GET", "/users/me", member.token)).status).toBe(401);
  });

  it("without a race, the same use slides the expiry forward", async () => {
    const { app } = world;
    const fresh = await call<{ session_token: string }>(app, "POST", "/users/login", undefined, {
      email: world.member.email,
      password: world.member.password,
    });
    const keyId = jwtPayload(fresh.body.session_token).jti as string;
    const soon = new Date(Date.now() + 30 * 60_000);
    await app.db
      .update(apiKeys)
      .set({ expiresAt: soon, lastUsed: new Date(Date.now() - 2 * 3600_000) })
      .where(eq(apiKeys.id, keyId));
    expect((await call(app, "GET", "/users/me", fresh.body.session_token)).status).toBe(200);
    await app.settle();
    const [row] = await app.db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(soon.getTime() + 3600_000);
  });
});
