// The routes that record themselves (recordsItself in src/audit/actions.ts) send their change and its audit
// record as one statement: no BEGIN, no separate insert of the record, no COMMIT. On Workers each statement
// is one HTTP round trip (test/workers/round-trips.test.ts) where a transaction opens a WebSocket. Counted
// here as the statements a request sends, what it defers included, with keys whose first use (which stamps
// them, src/auth/session.ts) is behind them.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_RULES } from "../../../src/audit/actions.ts";
import { apiKeys } from "../../../src/db/schema.ts";
import { addUser, auditRowsFor, countQueriesWithDeferred, getMe, jwtPayload, send, useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

async function recordOf(res: Response) {
  const rows = await auditRowsFor(app, res);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Runs the request and answers its response with the number of statements it sent. */
async function counted(request: () => Promise<Response>): Promise<{ res: Response; statements: number }> {
  let res: Response | undefined;
  const statements = await countQueriesWithDeferred(app, async () => {
    res = await request();
  });
  return { res: res!, statements };
}

beforeAll(async () => {
  expect((await getMe(app, owner.token)).status).toBe(200);
});

describe("routes that record themselves", () => {
  it("are exactly sign-in, minting (both routes), deleting and expiring a key, and sign-out", () => {
    const recordingItself = Object.entries(AUDIT_RULES).flatMap(([key, rule]) => (rule.recordsItself ? [key] : []));
    expect(recordingItself.sort()).toEqual([
      "DELETE /api/v2/users/:user/keys/:keyid",
      "POST /api/v2/users/:user/keys",
      "POST /api/v2/users/:user/keys/tokens",
      "POST /api/v2/users/login",
      "POST /api/v2/users/logout",
      "PUT /api/v2/users/:user/keys/:keyid/expire",
    ]);
  });

  it("POST /users/me/keys/tokens: the actor query, then the key with its record", async () => {
    const { res, statements } = await counted(() =>
      send(app, "POST", "/users/me/keys/tokens", owner.token, { token_name: "one-statement" }),
    );
    expect(res.status).toBe(201);
    expect(statements).toBe(2);
    const record = await recordOf(res);
    const [key] = await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, "one-statement"));
    expect(record).toMatchObject({
      action: "create",
      statusCode: 201,
      userId: owner.userId,
      resourceId: key!.id,
      resourceTarget: "one-statement",
    });
  });

  it("POST /users/me/keys: the actor query, then the key with its record", async () => {
    const { res, statements } = await counted(() => send(app, "POST", "/users/me/keys", owner.token));
    expect(res.status).toBe(201);
    expect(statements).toBe(2);
    const { key } = (await res.json()) as { key: string };
    const id = jwtPayload(key).jti as string;
    expect(await recordOf(res)).toMatchObject({ action: "create", statusCode: 201, resourceId: id, resourceTarget: id });
    expect(await app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, id))).toEqual([{ id }]);
  });

  it("POST /users/logout: the actor query, then the keys deleted with the record", async () => {
    const user = await addUser(app, { username: "leaving", login: true });
    expect((await getMe(app, user.token)).status).toBe(200);
    const { res, statements } = await counted(() => send(app, "POST", "/users/logout", user.token, {}));
    expect(res.status).toBe(200);
    expect(statements).toBe(2);
    const id = jwtPayload(user.token).jti as string;
    expect(await recordOf(res)).toMatchObject({
      action: "logout",
      statusCode: 200,
      userId: user.id,
      resourceId: id,
      resourceTarget: "leaving",
    });
    expect((await getMe(app, user.token)).status).toBe(401);
  });

  it("DELETE and PUT …/expire of a key: the actor query, the key's lookup, then the change with its record", async () => {
    const user = await addUser(app, { username: "pruner", login: true });
    expect((await getMe(app, user.token)).status).toBe(200);
    for (const [method, suffix, action] of [
      ["PUT", "/expire", "write"],
      ["DELETE", "", "delete"],
    ] as const) {
      const made = await send(app, "POST", "/users/me/keys/tokens", user.token, { token_name: `doomed-${action}` });
      const id = jwtPayload(((await made.json()) as { key: string }).key).jti as string;
      const { res, statements } = await counted(() => send(app, method, `/users/me/keys/${id}${suffix}`, user.token));
      expect(res.status).toBe(204);
      expect(statements).toBe(3);
      expect(await recordOf(res)).toMatchObject({ action, statusCode: 204, userId: user.id, resourceId: id, resourceTarget: id });
    }
    const [expired] = await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, "doomed-write"));
    expect(expired!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, "doomed-delete"))).toEqual([]);
  });

  it("a name clash is refused by the insert alone, and recorded as a refusal after the response", async () => {
    const { res, statements } = await counted(() =>
      send(app, "POST", "/users/me/keys/tokens", owner.token, { token_name: "one-statement" }),
    );
    expect(res.status).toBe(409);
    // The actor query, the insert the unique index refused, the refusal's record.
    expect(statements).toBe(3);
    expect(await recordOf(res)).toMatchObject({ action: "create", statusCode: 409, resourceId: "", resourceTarget: "one-statement" });
  });

  it("a refusal defers nothing: the caller's key is not stamped as used, as a rolled-back write's is not", async () => {
    const user = await addUser(app, { username: "refused", login: true });
    const id = jwtPayload(user.token).jti as string;
    const lastUsed = async () => (await app.db.select({ at: apiKeys.lastUsed }).from(apiKeys).where(eq(apiKeys.id, id)))[0]!.at.getTime();
    const unused = await lastUsed();
    // The key's first use would stamp it (src/auth/session.ts); this one is refused by the handler.
    const refused = await send(app, "POST", "/users/me/keys/tokens", user.token, { token_name: "negative", lifetime: -1 });
    expect(refused.status).toBe(400);
    await app.settle();
    expect(await lastUsed()).toBe(unused);
    // A success does stamp it.
    expect((await send(app, "POST", "/users/me/keys/tokens", user.token, { token_name: "good-name" })).status).toBe(201);
    await app.settle();
    expect(await lastUsed()).toBeGreaterThan(unused);
  });
});
