// Named tokens after they are made: expiring them (the owner's own, a member's, twice), deleting an expired
// one, and the first use stamping last_used and the user's last_seen_at.
import { describe, expect, it } from "vitest";
import { call, createToken, expOf, keyRow, keysOf, lastSeenAt, useWorld } from "../../support/harness.ts";

const w = useWorld();

describe("expiring and deleting", () => {
  it("an owner expires their own token: 204, expires_at ≤ now, the token stops at once", async () => {
    const { key, id } = await createToken(w.app, w.owner.token, { token_name: "own-expire" });
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(200);
    const res = await call(w.app, "PUT", `/users/me/keys/${id}/expire`, w.owner.token);
    expect(res.status).toBe(204);
    expect((await keyRow(w.app, id))!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    const refused = await call(w.app, "GET", "/users/me", key);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/^API key expired at "/);
  });

  it("an owner expires a member's token, and the member sees it expired", async () => {
    const { key, id } = await createToken(w.app, w.member.token, { token_name: "admin-expired" });
    expect((await call(w.app, "PUT", `/users/${w.member.username}/keys/${id}/expire`, w.owner.token)).status).toBe(204);
    const seen = await call(w.app, "GET", "/users/me/keys/tokens/admin-expired", w.member.token);
    expect(Date.parse(seen.body.expires_at)).toBeLessThanOrEqual(Date.now());
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(401);
  });

  it("expiring twice succeeds and keeps the first expiry", async () => {
    const { id } = await createToken(w.app, w.member.token, { token_name: "twice" });
    expect((await call(w.app, "PUT", `/users/me/keys/${id}/expire`, w.member.token)).status).toBe(204);
    const first = (await keyRow(w.app, id))!.expiresAt.getTime();
    await new Promise((r) => setTimeout(r, 5));
    expect((await call(w.app, "PUT", `/users/me/keys/${id}/expire`, w.member.token)).status).toBe(204);
    expect((await keyRow(w.app, id))!.expiresAt.getTime()).toBe(first);
  });

  it("deletes an expired token, which is then gone", async () => {
    const { id } = await createToken(w.app, w.member.token, { token_name: "expired-then-deleted" });
    await call(w.app, "PUT", `/users/me/keys/${id}/expire`, w.member.token);
    expect((await call(w.app, "DELETE", `/users/me/keys/${id}`, w.member.token)).status).toBe(204);
    expect((await call(w.app, "GET", `/users/me/keys/${id}`, w.member.token)).status).toBe(404);
    expect((await keysOf(w.app, w.member.id)).map((k) => k.id)).not.toContain(id);
  });
});

describe("using a token", () => {
  it("stamps last_used and the user's last_seen_at on first use", async () => {
    const { key, id } = await createToken(w.app, w.member.token, { token_name: "first-use" });
    expect((await keyRow(w.app, id))!.lastUsed.getTime()).toBe(0);
    await w.app.settle();
    const seenBefore = await lastSeenAt(w.app, w.member.id);
    const started = Date.now();
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(200);
    await w.app.settle();
    const row = (await keyRow(w.app, id))!;
    expect(row.lastUsed.getTime()).toBeGreaterThanOrEqual(started - 1000);
    const seen = (await lastSeenAt(w.app, w.member.id))!;
    expect(seen.getTime()).toBeGreaterThanOrEqual(started - 1000);
    if (seenBefore) expect(seen.getTime()).toBeGreaterThanOrEqual(seenBefore.getTime());
    // A token's expiry never slides past its JWT `exp`.
    expect(row.expiresAt.getTime()).toBe(expOf(key) * 1000);
  });
});
