// API keys on the real worker, database through the Neon driver: create → use → expire → delete, with
// each step taking effect on the very next request.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { jti, ownerSession, workerClient } from "./client.ts";

const call = workerClient("keys");
let owner: { token: string; userId: string; organizationId: string };
let memberToken = "";
let memberId = "";

beforeAll(async () => {
  owner = await ownerSession(call);
  const created = await call("/api/v2/users", {
    method: "POST",
    token: owner.token,
    json: {
      email: "key.member@example.com",
      username: "key-member",
      password: "SomeSecurePassword!",
      organization_ids: [owner.organizationId],
    },
  });
  memberId = ((await created.json()) as { id: string }).id;
  const login = await call("/api/v2/users/login", {
    method: "POST",
    json: { email: "key.member@example.com", password: "SomeSecurePassword!" },
  });
  memberToken = ((await login.json()) as { session_token: string }).session_token;
});

describe(`API keys on workers (${inject("databaseKind")})`, () => {
  let tokenValue = "";
  let tokenId = "";

  it("creates a named token", async () => {
    const res = await call("/api/v2/users/me/keys/tokens", {
      method: "POST",
      token: memberToken,
      json: { token_name: "edge-ci", scopes: ["user:read"] },
    });
    expect(res.status).toBe(201);
    tokenValue = ((await res.json()) as { key: string }).key;
    tokenId = jti(tokenValue);
    const list = await call("/api/v2/users/me/keys/tokens", { token: memberToken });
    const items = (await list.json()) as { id: string; token_name: string; scope: string; scopes: string[]; username: string }[];
    expect(items).toEqual([
      expect.objectContaining({ id: tokenId, token_name: "edge-ci", scope: "", scopes: ["user:read"], username: "key-member" }),
    ]);
  });

  it("uses it within its scope, and is refused beyond it", async () => {
    const me = await call("/api/v2/users/me", { token: tokenValue });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: string }).id).toBe(memberId);
    const change = await call("/api/v2/users/me/profile", {
      method: "PUT",
      token: tokenValue,
      json: { username: "key-member", name: "Nope" },
    });
    expect(change.status).toBe(404);
  });

  it("expires it: the next request is refused", async () => {
    const res = await call(`/api/v2/users/${memberId}/keys/${tokenId}/expire`, { method: "PUT", token: owner.token });
    expect(res.status).toBe(204);
    const refused = await call("/api/v2/users/me", { token: tokenValue });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^API key expired at "/);
    const hidden = (await (await call("/api/v2/users/me/keys/tokens", { token: memberToken })).json()) as unknown[];
    expect(hidden).toEqual([]);
    const shown = (await (await call("/api/v2/users/me/keys/tokens?include_expired=true", { token: memberToken })).json()) as {
      id: string;
    }[];
    expect(shown.map((k) => k.id)).toEqual([tokenId]);
  });

  it("deletes a live session key: the next request is refused", async () => {
    const minted = await call("/api/v2/users/me/keys", { method: "POST", token: memberToken });
    expect(minted.status).toBe(201);
    const key = ((await minted.json()) as { key: string }).key;
    expect((await call("/api/v2/users/me", { token: key })).status).toBe(200);
    expect((await call(`/api/v2/users/me/keys/${jti(key)}`, { method: "DELETE", token: memberToken })).status).toBe(204);
    const refused = await call("/api/v2/users/me", { token: key });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toBe("API key is invalid.");
    expect((await call(`/api/v2/users/me/keys/${tokenId}`, { method: "DELETE", token: memberToken })).status).toBe(204);
  });

  it("handles nanosecond lifetimes beyond 2^53 exactly", async () => {
    const config = await call("/api/v2/users/me/keys/tokens/tokenconfig", { token: memberToken });
    expect(await config.text()).toBe('{"max_token_lifetime":3155760000000000000}');
    const over = await call("/api/v2/users/me/keys/tokens", {
      method: "POST",
      token: memberToken,
      headers: { "content-type": "application/json" },
      body: '{"token_name":"too-long","lifetime":3155760000000000001}',
    });
    expect(over.status).toBe(400);
    expect(await over.json()).toEqual({
      message: "Failed to validate create API key request.",
      detail: "lifetime must be less than 876600h0m0s",
    });
  });

  it("publishes the scope catalogue without authentication", async () => {
    const res = await call("/api/v2/auth/scopes");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { external: string[] }).external).toContain("coder:workspaces.access");
  });
});
