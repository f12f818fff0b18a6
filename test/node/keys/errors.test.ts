// Key and token requests that fail (https://github.com/coder/coder/blob/main/coderd/apikey.go): Coder's status, message and detail, and no key row written.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import {
  addUser,
  call,
  createToken,
  DAY_NS,
  FORBIDDEN,
  keysOf,
  NOT_FOUND,
  replyOf,
  sendJsonText,
  startWorld,
  type World,
  useWorld,
} from "../../support/harness.ts";

/** POST with a body given as raw JSON text (integers beyond 2^53, malformed numbers). */
const postRaw = async (app: World["app"], path: string, token: string, text: string) =>
  replyOf(await sendJsonText(app, "POST", path, text, token));

const w = useWorld();

/** Runs `fn` and checks that the user's keys are unchanged by it. */
async function noNewKeys(userId: string, fn: () => Promise<void>) {
  const before = (await keysOf(w.app, userId)).length;
  await fn();
  expect((await keysOf(w.app, userId)).length).toBe(before);
}

const days = (n: number) => (BigInt(n) * DAY_NS).toString();
const tokenWithLifetime = (world: World, token: string, name: string, d: number) =>
  postRaw(world.app, "/users/me/keys/tokens", token, `{"token_name":"${name}","lifetime":${days(d)}}`);

describe("lifetime limits", () => {
  it("refuses a negative lifetime", async () => {
    await noNewKeys(w.member.id, async () => {
      const res = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { token_name: "neg", lifetime: -1 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        message: "Failed to validate create API key request.",
        detail: "lifetime must be positive number greater than 0",
      });
    });
  });

  it("compares lifetimes beyond 2^53 exactly: the maximum passes, one nanosecond more does not", async () => {
    // A member's maximum is CODER_MAX_TOKEN_LIFETIME, 876600h = 3155760000000000000 ns.
    const over = await postRaw(w.app, "/users/me/keys/tokens", w.member.token, '{"token_name":"over","lifetime":3155760000000000001}');
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ message: "Failed to validate create API key request.", detail: "lifetime must be less than 876600h0m0s" });
    const exact = await postRaw(w.app, "/users/me/keys/tokens", w.member.token, '{"token_name":"century","lifetime":3155760000000000000}');
    expect(exact.status).toBe(201);
    const row = (await keysOf(w.app, w.member.id)).find((k) => k.tokenName === "century")!;
    expect(row.lifetimeSeconds).toBe(3155760000);
  });

  it("decodes lifetime as Go does: only an int64 literal", async () => {
    for (const literal of ["1.5", "1e9", "99999999999999999999", "-0.5"]) {
      const res = await postRaw(w.app, "/users/me/keys/tokens", w.member.token, `{"token_name":"x","lifetime":${literal}}`);
      expect(res.status, literal).toBe(400);
      expect(res.body).toEqual({
        message: "Request body must be valid JSON.",
        detail: `json: cannot unmarshal number ${literal} into Go struct field CreateTokenRequest.lifetime of type time.Duration`,
      });
    }
    const text = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { lifetime: "24h" });
    expect(text.status).toBe(400);
    expect(text.body).toMatchObject({ message: "Validation failed.", validations: [{ field: "lifetime" }] });
  });
});

describe("maximum token lifetime from configuration", () => {
  it("holds members to CODER_MAX_TOKEN_LIFETIME", async () => {
    const world = await startWorld({ CODER_MAX_TOKEN_LIFETIME: "168h" });
    try {
      expect((await tokenWithLifetime(world, world.member.token, "six", 6)).status).toBe(201);
      const eight = await tokenWithLifetime(world, world.member.token, "eight", 8);
      expect(eight.status).toBe(400);
      expect(eight.body.detail).toBe("lifetime must be less than 168h0m0s");
    } finally {
      await world.app.close();
    }
  });

  it("holds owners to the admin maximum when it is longer", async () => {
    const world = await startWorld({ CODER_MAX_TOKEN_LIFETIME: "168h", CODER_MAX_ADMIN_TOKEN_LIFETIME: "336h" });
    try {
      expect((await tokenWithLifetime(world, world.owner.token, "ten", 10)).status).toBe(201);
      const fifteen = await tokenWithLifetime(world, world.owner.token, "fifteen", 15);
      expect(fifteen.status).toBe(400);
      expect(fifteen.body.detail).toBe("lifetime must be less than 336h0m0s");
      expect((await tokenWithLifetime(world, world.member.token, "eight", 8)).status).toBe(400);
      expect((await tokenWithLifetime(world, world.member.token, "six", 6)).status).toBe(201);
    } finally {
      await world.app.close();
    }
  });

  it("holds owners to the admin maximum when it is shorter", async () => {
    const world = await startWorld({ CODER_MAX_TOKEN_LIFETIME: "336h", CODER_MAX_ADMIN_TOKEN_LIFETIME: "168h" });
    try {
      const eight = await tokenWithLifetime(world, world.owner.token, "eight", 8);
      expect(eight.status).toBe(400);
      expect(eight.body.detail).toBe("lifetime must be less than 168h0m0s");
      expect((await tokenWithLifetime(world, world.owner.token, "six", 6)).status).toBe(201);
      expect((await tokenWithLifetime(world, world.member.token, "ten", 10)).status).toBe(201);
      expect((await tokenWithLifetime(world, world.member.token, "fifteen", 15)).status).toBe(400);
      // The limit is the key user's: an owner minting for a member gets the member's maximum.
      expect(
        (
          await postRaw(
            world.app,
            `/users/${world.member.id}/keys/tokens`,
            world.owner.token,
            `{"token_name":"for-member","lifetime":${days(10)}}`,
          )
        ).status,
      ).toBe(201);
    } finally {
      await world.app.close();
    }
  });
});

describe("scopes, names and allow lists", () => {
  it("refuses unknown and internal scope names", async () => {
    await noNewKeys(w.member.id, async () => {
      for (const body of [{ scopes: ["bogus"] }, { scope: "bogus" }, { scopes: ["user:read", "bogus"] }]) {
        const res = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ message: "Failed to create API key.", detail: 'invalid or unsupported API key scope: "bogus"' });
      }
      const internal = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { scopes: ["inbox_notification:create"] });
      expect(internal.body.detail).toBe('invalid or unsupported API key scope: "inbox_notification:create"');
    });
  });

  it("answers a duplicate name with 409 and the validation entry", async () => {
    await createToken(w.app, w.member.token, { token_name: "dup" });
    await noNewKeys(w.member.id, async () => {
      const res = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { token_name: "dup" });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        message: 'A token with name "dup" already exists.',
        validations: [{ field: "name", detail: "This value is already in use and should be unique." }],
      });
    });
    // Names are per user.
    expect((await call(w.app, "POST", "/users/me/keys/tokens", w.owner.token, { token_name: "dup" })).status).toBe(201);
  });

  it("refuses an over-long name", async () => {
    const res = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { token_name: "n".repeat(129) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: "Validation failed.", validations: [{ field: "token_name" }] });
  });

  it("validates allow list entries", async () => {
    const cases: [unknown, string][] = [
      [[{ type: "workspace", id: "x" }], 'invalid workspace ID (must be UUID): "x"'],
      [[{ type: "nope", id: "*" }], 'unknown resource type "nope"'],
      [["nocolon"], 'invalid allow_list entry "nocolon": want <type>:<id>'],
      [Array.from({ length: 129 }, () => ({ type: "*", id: "*" })), "allow_list has 129 entries; max allowed is 128"],
    ];
    await noNewKeys(w.member.id, async () => {
      for (const [allowList, detail] of cases) {
        const res = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { token_name: "al", allow_list: allowList });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ message: "Failed to create API key.", detail });
      }
    });
  });

  it("answers malformed bodies in Coder's shape", async () => {
    const empty = await postRaw(w.app, "/users/me/keys/tokens", w.member.token, "");
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const array = await postRaw(w.app, "/users/me/keys/tokens", w.member.token, "[]");
    expect(array.status).toBe(400);
    const wrongType = await call(w.app, "POST", "/users/me/keys/tokens", w.member.token, { scopes: "user:read" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toBe("Validation failed.");
  });
});

describe("users and keys that are not there", () => {
  it("404s a session key for a deleted user", async () => {
    const gone = await addUser(w.app, { username: "gone-user" });
    expect((await call(w.app, "DELETE", `/users/${gone.id}`, w.owner.token)).status).toBe(200);
    const res = await call(w.app, "POST", "/users/gone-user/keys", w.owner.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
    expect(await keysOf(w.app, gone.id)).toHaveLength(0);
  });

  it("refuses keys and tokens for a system user", async () => {
    const system = await addUser(w.app, { username: "prebuilds" });
    await w.app.db.update(users).set({ isSystem: true }).where(eq(users.id, system.id));
    const key = await call(w.app, "POST", `/users/${system.id}/keys`, w.owner.token);
    expect(key.status).toBe(403);
    expect(key.body).toEqual(FORBIDDEN);
    const token = await call(w.app, "POST", `/users/${system.id}/keys/tokens`, w.owner.token, { token_name: "sys" });
    expect(token.status).toBe(403);
    expect(token.body).toEqual(FORBIDDEN);
    expect(await keysOf(w.app, system.id)).toHaveLength(0);
  });

  it("404s a member expiring, reading or deleting another user's token", async () => {
    const { id } = await createToken(w.app, w.owner.token, { token_name: "owners-own" });
    const before = (await keysOf(w.app, w.owner.id)).find((k) => k.id === id)!.expiresAt.getTime();
    for (const [method, path] of [
      ["PUT", `/users/${w.owner.id}/keys/${id}/expire`],
      ["PUT", `/users/me/keys/${id}/expire`],
      ["GET", `/users/me/keys/${id}`],
      ["DELETE", `/users/me/keys/${id}`],
      ["GET", `/users/${w.owner.id}/keys/tokens/owners-own`],
    ] as const) {
      const res = await call(w.app, method, path, w.member.token);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
    expect((await keysOf(w.app, w.owner.id)).find((k) => k.id === id)!.expiresAt.getTime()).toBe(before);
  });

  it("404s an unknown key id", async () => {
    for (const method of ["GET", "DELETE"]) {
      expect((await call(w.app, method, "/users/me/keys/nonexistent", w.member.token)).status).toBe(404);
    }
    const res = await call(w.app, "PUT", "/users/me/keys/nonexistent/expire", w.member.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });

  it("refuses a malformed boolean in the token list query", async () => {
    const res = await call(w.app, "GET", "/users/me/keys/tokens?include_expired=maybe", w.member.token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "Query parameters have invalid values.",
      validations: [{ field: "include_expired", detail: 'Query param "include_expired" must be a valid boolean' }],
    });
  });
});
