// What tokens may not do (https://github.com/coder/coder/blob/main/coderd/apikey.go): scopes and allow lists narrow every
// request, a token cannot mint a broader one, revocation is immediate, and signing keys rotate with
// tokens of a removed key refused before any database work.
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import {
  ACCESS_URL,
  type AddedUser,
  addUser,
  call,
  countQueriesWithDeferred,
  createToken,
  FORBIDDEN,
  keyIdOf,
  keyRow,
  kidOf,
  NOT_FOUND,
  type Reply,
  useWorld,
} from "../../support/harness.ts";

const w = useWorld();
let other: AddedUser;
beforeAll(async () => {
  other = await addUser(w.app, { username: "other", login: true });
});

describe("scopes are enforced on every request", () => {
  it("a user:read token reads users but cannot change or reach personal data", async () => {
    const { key } = await createToken(w.app, w.member.token, { token_name: "reader", scopes: ["user:read"] });
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(200);
    expect((await call(w.app, "PUT", "/users/me/profile", key, { username: "member", name: "Changed" })).status).toBe(404);
    expect((await call(w.app, "PUT", "/users/me/appearance", key, { theme_preference: "dark", terminal_font: "" })).status).toBe(404);
    expect((await call(w.app, "GET", "/users/me/appearance", key)).status).toBe(404);
    expect((await call(w.app, "GET", "/users/me/keys/tokens", key)).body).toEqual([]);
    expect((await call(w.app, "POST", "/users/me/keys/tokens", key, { token_name: "x" })).body).toEqual(FORBIDDEN);
    expect((await call(w.app, "GET", "/users/me", w.member.token)).body.name).toBe("");
  });

  it("a token never does more than its user: user:* on a member reaches no one else", async () => {
    const { key } = await createToken(w.app, w.member.token, { token_name: "wide", scopes: ["user:*"] });
    expect((await call(w.app, "GET", `/users/${other.id}`, key)).status).toBe(404);
    expect((await call(w.app, "PUT", `/users/${other.id}/status/suspend`, key)).status).toBe(404);
    expect((await call(w.app, "PUT", "/users/me/profile", key, { username: "member", name: "Self Edit" })).status).toBe(200);
  });

  it("an application_connect token cannot use the Users API", async () => {
    const { key } = await createToken(w.app, w.member.token, { token_name: "apps", scope: "application_connect" });
    const res = await call(w.app, "GET", "/users/me", key);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });

  it("coder:apikeys.manage_self with user:read manages the user's keys, and mints nothing broader", async () => {
    const { key } = await createToken(w.app, w.member.token, {
      token_name: "key-manager",
      scopes: ["coder:apikeys.manage_self", "user:read"],
    });
    const narrower = await createToken(w.app, key, { token_name: "narrower", scopes: ["user:read"] });
    expect((await keyRow(w.app, narrower.id))!.scopes).toEqual(["user:read"]);
    const inherited = await createToken(w.app, key, { token_name: "inherited" });
    expect((await keyRow(w.app, inherited.id))!.scopes).toEqual(["coder:apikeys.manage_self", "user:read"]);

    const broader = await call(w.app, "POST", "/users/me/keys/tokens", key, { token_name: "broader", scopes: ["coder:all"] });
    expect(broader.status).toBe(403);
    expect(broader.body.detail).toBe('The requested scope "coder:all" exceeds what the token making the request may do.');
    const wildcard = await call(w.app, "POST", "/users/me/keys/tokens", key, { token_name: "wildcard", scopes: ["api_key:*"] });
    expect(wildcard.status).toBe(403);
    expect((await call(w.app, "POST", "/users/me/keys", key)).status).toBe(403);
    expect((await call(w.app, "DELETE", `/users/me/keys/${narrower.id}`, key)).status).toBe(204);
  });
});

describe("allow lists are enforced", () => {
  it("a token whose allow list names one user cannot read another", async () => {
    const { key } = await createToken(w.app, w.owner.token, { token_name: "only-member", allow_list: [{ type: "user", id: w.member.id }] });
    expect((await call(w.app, "GET", `/users/${w.member.id}`, key)).status).toBe(200);
    expect((await call(w.app, "GET", `/users/${w.member.username}`, key)).status).toBe(200);
    const otherUser = await call(w.app, "GET", `/users/${other.id}`, key);
    expect(otherUser.status).toBe(404);
    expect(otherUser.body).toEqual(NOT_FOUND);
    // The owner's own user is not on the list either, and neither are keys.
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(404);
    expect((await call(w.app, "GET", `/users/${w.member.id}/keys/tokens`, key)).body).toEqual([]);
  });

  it("GET /users lists exactly the users the allow list names, within what the roles may read", async () => {
    const ids = (res: Reply) => (res.body.users as { id: string }[]).map((u) => u.id).sort();
    const one = (await createToken(w.app, w.owner.token, { token_name: "list-one", allow_list: [{ type: "user", id: w.member.id }] })).key;
    const listed = await call(w.app, "GET", "/users", one);
    expect(listed.status).toBe(200);
    expect(ids(listed)).toEqual([w.member.id]);
    expect(listed.body.count).toBe(1);

    const two = (
      await createToken(w.app, w.owner.token, {
        token_name: "list-two",
        allow_list: [
          { type: "user", id: w.member.id },
          { type: "user", id: other.id },
        ],
      })
    ).key;
    expect(ids(await call(w.app, "GET", "/users", two))).toEqual([w.member.id, other.id].sort());
    // The search still applies on top of the list.
    expect(ids(await call(w.app, "GET", "/users?q=other", two))).toEqual([other.id]);

    // An allow list that names no user (keys only) lists no one.
    const keysOnly = (await createToken(w.app, w.owner.token, { token_name: "list-none", allow_list: [{ type: "api_key", id: "*" }] })).key;
    const none = await call(w.app, "GET", "/users", keysOnly);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ users: [], count: 0 });

    // A member's token naming another user still sees only what the member's role may read: itself.
    const member = (
      await createToken(w.app, w.member.token, {
        token_name: "member-list",
        allow_list: [
          { type: "user", id: w.member.id },
          { type: "user", id: other.id },
        ],
      })
    ).key;
    expect(ids(await call(w.app, "GET", "/users", member))).toEqual([w.member.id]);
  });

  it("a restricted token passes its allow list on and cannot widen it", async () => {
    const restricted = [
      { type: "user", id: w.member.id },
      { type: "api_key", id: "*" },
    ];
    const { key } = await createToken(w.app, w.member.token, { token_name: "restricted", allow_list: restricted });
    const child = await createToken(w.app, key, { token_name: "child" });
    expect((await keyRow(w.app, child.id))!.allowList).toEqual(["api_key:*", `user:${w.member.id}`]);
    const wider = await call(w.app, "POST", "/users/me/keys/tokens", key, { token_name: "wider", allow_list: [{ type: "*", id: "*" }] });
    expect(wider.status).toBe(403);
    expect(wider.body.detail).toBe('The requested allow_list entry "*:*" exceeds what the token making the request may do.');
  });
});

describe("who may manage whose keys", () => {
  it("user admins and auditors see a member but not the member's keys", async () => {
    const admin = await addUser(w.app, { username: "uadmin", roles: ["user-admin"], login: true });
    const auditor = await addUser(w.app, { username: "auditor", roles: ["auditor"], login: true });
    const { id } = await createToken(w.app, w.member.token, { token_name: "private" });
    for (const caller of [admin, auditor]) {
      expect((await call(w.app, "POST", `/users/${w.member.id}/keys`, caller.token)).body).toEqual(FORBIDDEN);
      expect((await call(w.app, "POST", `/users/${w.member.id}/keys/tokens`, caller.token, {})).status).toBe(403);
      expect((await call(w.app, "GET", `/users/${w.member.id}/keys/tokens`, caller.token)).body).toEqual([]);
      expect((await call(w.app, "GET", `/users/${w.member.id}/keys/tokens/private`, caller.token)).status).toBe(404);
      expect((await call(w.app, "GET", `/users/${w.member.id}/keys/${id}`, caller.token)).status).toBe(404);
      expect((await call(w.app, "PUT", `/users/${w.member.id}/keys/${id}/expire`, caller.token)).status).toBe(404);
      expect((await call(w.app, "DELETE", `/users/${w.member.id}/keys/${id}`, caller.token)).status).toBe(404);
    }
    expect(await keyRow(w.app, id)).toBeDefined();
  });

  it("owners may delete a member's key, which stops working on the next request", async () => {
    const { key, id } = await createToken(w.app, w.member.token, { token_name: "revoked" });
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(200);
    expect((await call(w.app, "DELETE", `/users/${w.member.id}/keys/${id}`, w.owner.token)).status).toBe(204);
    const res = await call(w.app, "GET", "/users/me", key);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("API key is invalid.");
  });

  it("no response but the create responses carries a token", async () => {
    const { key, id } = await createToken(w.app, w.member.token, { token_name: "secret-value" });
    const signature = key.split(".")[2]!;
    const session = await call(w.app, "POST", "/users/me/keys", w.member.token);
    const replies = [
      await call(w.app, "GET", "/users/me/keys/tokens?include_expired=true", w.member.token),
      await call(w.app, "GET", "/users/me/keys/tokens?include_all=true", w.owner.token),
      await call(w.app, "GET", "/users/me/keys/tokens/secret-value", w.member.token),
      await call(w.app, "GET", `/users/me/keys/${id}`, w.member.token),
      await call(w.app, "GET", `/users/me/keys/${keyIdOf(session.body.key)}`, w.member.token),
    ];
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.text).not.toContain(signature);
      expect(reply.text).not.toContain(session.body.key.split(".")[2]);
      expect(reply.text).not.toMatch(/hashed|secret"/);
    }
  });
});

describe("signing key rotation", () => {
  let k1: JWK;
  let k2: JWK;
  let original: TokenService;
  beforeAll(async () => {
    original = w.app.deps.tokens;
    [k1, k2] = await Promise.all([TokenService.generateKey(), TokenService.generateKey()]);
  });
  afterAll(() => {
    w.app.deps.tokens = original;
  });
  const useKeys = async (...jwks: JWK[]) => {
    w.app.deps.tokens = await TokenService.create(jwks, ACCESS_URL);
  };
  const jwksKids = async () => ((await (await w.app.request("/.well-known/jwks.json")).json()) as { keys: JWK[] }).keys.map((k) => k.kid);

  it("verifies tokens of either key, lists both, and refuses a removed key's tokens with zero queries", async () => {
    await useKeys(k1);
    const login = await call(w.app, "POST", "/users/login", undefined, { email: w.member.email, password: w.member.password });
    const oldSession = login.body.session_token as string;
    const old = (await createToken(w.app, oldSession, { token_name: "signed-by-k1" })).key;
    expect(kidOf(old)).toBe(k1.kid);

    // Rotation starts: the new key signs, both verify, the JWKS publishes both.
    await useKeys(k2, k1);
    const fresh = (await createToken(w.app, oldSession, { token_name: "signed-by-k2" })).key;
    expect(kidOf(fresh)).toBe(k2.kid);
    for (const token of [old, oldSession, fresh]) expect((await call(w.app, "GET", "/users/me", token)).status).toBe(200);
    expect(await jwksKids()).toEqual([k2.kid, k1.kid]);

    // k1 removed: exactly its tokens stop, refused by signature alone.
    await useKeys(k2);
    for (const token of [old, oldSession]) {
      let res: Reply | undefined;
      expect(await countQueriesWithDeferred(w.app, async () => (res = await call(w.app, "GET", "/users/me", token)))).toBe(0);
      expect(res!.status).toBe(401);
      expect(res!.body.detail).toBe("API key is invalid.");
    }
    expect((await call(w.app, "GET", "/users/me", fresh)).status).toBe(200);
    expect(await jwksKids()).toEqual([k2.kid]);

    // And the other way round: dropping k2 ends the k2 tokens only.
    await useKeys(k1);
    let refused: Reply | undefined;
    expect(await countQueriesWithDeferred(w.app, async () => (refused = await call(w.app, "GET", "/users/me", fresh)))).toBe(0);
    expect(refused!.status).toBe(401);
    expect((await call(w.app, "GET", "/users/me", old)).status).toBe(200);
  });
});
