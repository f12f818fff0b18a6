// POST /users/logout (https://github.com/coder/coder/blob/main/coderd/users.go): it ends the calling key and the user's
// application_connect keys, and nothing else.
import { describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import { newKeyId } from "../../../src/keys/issue.ts";
import {
  expectSignedOut,
  insertMember,
  json,
  jwtPayload,
  keysOf,
  login,
  NO_TOKEN,
  OWNER,
  post,
  useKnownKeyApp,
} from "../../support/harness.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const { app, owner, me } = useKnownKeyApp();

describe("logout", () => {
  async function insertKey(userId: string, scopes: string[], extra: Partial<typeof apiKeys.$inferInsert> = {}) {
    const id = newKeyId();
    await app.db.insert(apiKeys).values({
      id,
      userId,
      loginType: "token",
      expiresAt: new Date(Date.now() + DAY),
      scopes,
      tokenName: id,
      ...extra,
    });
    return id;
  }

  it("deletes the calling key and the user's application_connect keys, nothing else", async () => {
    const other = await insertMember(app, { email: "bystander@example.com", username: "bystander", password: "MySecurePassword!" });
    const token = await login(app, OWNER.email, OWNER.password);
    const otherToken = await login(app, "bystander@example.com", "MySecurePassword!");
    const session = jwtPayload(token).jti as string;
    const appConnect = await insertKey(owner.userId, ["coder:application_connect"]);
    const keep = await insertKey(owner.userId, ["coder:all"]);
    const othersAppConnect = await insertKey(other.id, ["coder:application_connect"]);
    const ownerKeysBefore = (await keysOf(app, owner.userId)).map((k) => k.id);

    const res = await post(app, "/users/logout", {}, token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ message: "Logged out!" });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^coder_session_token=;/);
    expect(cookie).toMatch(/Max-Age=0/);
    expect(cookie).toMatch(/Path=\//);

    const ownerKeysAfter = (await keysOf(app, owner.userId)).map((k) => k.id).sort();
    expect(ownerKeysAfter).toEqual(ownerKeysBefore.filter((id) => id !== session && id !== appConnect).sort());
    expect(ownerKeysAfter).toContain(keep);
    expect((await keysOf(app, other.id)).map((k) => k.id).sort()).toEqual([othersAppConnect, jwtPayload(otherToken).jti as string].sort());

    await expectSignedOut(await me(token), "API key is invalid.");
    expect((await me(otherToken)).status).toBe(200);
    expect((await me(owner.token)).status).toBe(200);
  });

  it("logout without a token is 401", async () => {
    const res = await post(app, "/users/logout", {});
    await expectSignedOut(res, NO_TOKEN);
  });
});
