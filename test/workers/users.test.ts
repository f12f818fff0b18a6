// A representative set of user administration on the real worker, database through the Neon driver.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ownerSession, workerClient } from "./client.ts";

const call = workerClient("users");
let owner: { token: string; userId: string; organizationId: string };

beforeAll(async () => {
  owner = await ownerSession(call);
});

describe(`user administration on workers (${inject("databaseKind")})`, () => {
  let memberId = "";

  it("creates a dormant member in the default org", async () => {
    const res = await call("/api/v2/users", {
      method: "POST",
      token: owner.token,
      json: {
        email: "Edge.Member@example.com",
        username: "edge-member",
        password: "SomeSecurePassword!",
        organization_ids: ["00000000-0000-0000-0000-000000000000"],
      },
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; status: string; organization_ids: string[]; last_seen_at: string };
    expect(user).toMatchObject({ status: "dormant", organization_ids: [owner.organizationId], last_seen_at: "0001-01-01T00:00:00Z" });
    memberId = user.id;
  });

  it("refuses a conflicting username case-insensitively (409)", async () => {
    const res = await call("/api/v2/users", {
      method: "POST",
      token: owner.token,
      json: { email: "x@example.com", username: "EDGE-MEMBER", password: "SomeSecurePassword!", organization_ids: [owner.organizationId] },
    });
    expect(res.status).toBe(409);
  });

  it("lists and searches users with a count", async () => {
    const all = await call("/api/v2/users?limit=25", { token: owner.token });
    expect(all.status).toBe(200);
    expect(((await all.json()) as { count: number }).count).toBe(2);
    const found = await call(`/api/v2/users?q=${encodeURIComponent("status:dormant edge")}`, { token: owner.token });
    const body = (await found.json()) as { users: { id: string }[]; count: number };
    expect(body).toMatchObject({ count: 1, users: [{ id: memberId }] });
    const bad = await call(`/api/v2/users?q=${encodeURIComponent("status:nope")}`, { token: owner.token });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: "Invalid user search query." });
  });

  it("suspends: the member's session stops at once and works again after activation", async () => {
    const login = await call("/api/v2/users/login", {
      method: "POST",
      json: { email: "edge.member@example.com", password: "SomeSecurePassword!" },
    });
    expect(login.status).toBe(201);
    const memberToken = ((await login.json()) as { session_token: string }).session_token;
    expect((await call("/api/v2/users/me", { token: memberToken })).status).toBe(200);

    expect((await call(`/api/v2/users/${memberId}/status/suspend`, { method: "PUT", token: owner.token })).status).toBe(200);
    const refused = await call("/api/v2/users/me", { token: memberToken });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toContain("Contact an admin");

    expect((await call(`/api/v2/users/${memberId}/status/activate`, { method: "PUT", token: owner.token })).status).toBe(200);
    expect((await call("/api/v2/users/me", { token: memberToken })).status).toBe(200);
  });

  it("changes the member's password, which ends their sessions", async () => {
    const login = await call("/api/v2/users/login", {
      method: "POST",
      json: { email: "edge.member@example.com", password: "SomeSecurePassword!" },
    });
    const memberToken = ((await login.json()) as { session_token: string }).session_token;
    const res = await call(`/api/v2/users/${memberId}/password`, {
      method: "PUT",
      token: owner.token,
      json: { password: "Another-Secure-Passw0rd!" },
    });
    expect(res.status).toBe(204);
    expect((await call("/api/v2/users/me", { token: memberToken })).status).toBe(401);
  });

  it("returns a real Git SSH key and regenerates it", async () => {
    const first = await call(`/api/v2/users/${memberId}/gitsshkey`, { token: owner.token });
    expect(first.status).toBe(200);
    const key = (await first.json()) as { public_key: string };
    expect(key.public_key).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=*$/);
    const again = await call(`/api/v2/users/${memberId}/gitsshkey`, { method: "PUT", token: owner.token });
    expect(((await again.json()) as { public_key: string }).public_key).not.toBe(key.public_key);
  });

  it("stores appearance settings", async () => {
    const put = await call(`/api/v2/users/${memberId}/appearance`, {
      method: "PUT",
      token: owner.token,
      json: { theme_preference: "light", terminal_font: "fira-code" },
    });
    expect(put.status).toBe(200);
    const got = await call(`/api/v2/users/${memberId}/appearance`, { token: owner.token });
    expect(await got.json()).toMatchObject({ theme_preference: "light", terminal_font: "fira-code" });
  });

  it("deletes the member; the name is free again", async () => {
    const del = await call(`/api/v2/users/${memberId}`, { method: "DELETE", token: owner.token });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ message: "User has been deleted!" });
    expect((await call(`/api/v2/users/${memberId}`, { token: owner.token })).status).toBe(404);
    const again = await call("/api/v2/users", {
      method: "POST",
      token: owner.token,
      json: {
        email: "edge.member@example.com",
        username: "edge-member",
        password: "SomeSecurePassword!",
        organization_ids: [owner.organizationId],
      },
    });
    expect(again.status).toBe(201);
  });
});
