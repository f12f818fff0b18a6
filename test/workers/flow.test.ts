// The real worker entry inside workerd, its database reached through the Neon driver. One file, run in
// order: the steps share one database, as a deployment does.
import { exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";

const BASE = "http://gatehouse.test";
const worker = (exports as unknown as { default: Fetcher }).default;

async function call(path: string, init: RequestInit & { json?: unknown; token?: string } = {}) {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("Coder-Session-Token", token);
  if (json !== undefined) headers.set("content-type", "application/json");
  return worker.fetch(new Request(`${BASE}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body }));
}

const OWNER = { email: "edge-owner@example.com", username: "edge-owner", password: "SomeSecurePassword!" };

describe(`worker on ${inject("databaseKind")} through the Neon driver`, () => {
  let token = "";
  let userId = "";

  it("serves buildinfo with the build version header", async () => {
    const res = await call("/api/v2/buildinfo");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Coder-Build-Version")).toBe((await res.json<{ version: string }>()).version);
  });

  it("has no first user yet", async () => {
    const res = await call("/api/v2/users/first");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "The initial user has not been created!" });
  });

  it("rejects a first user without fields", async () => {
    const res = await call("/api/v2/users/first", { method: "POST", json: {} });
    expect(res.status).toBe(400);
    const body = await res.json<{ message: string; validations: { field: string }[] }>();
    expect(body.message).toBe("Validation failed.");
    expect(body.validations.map((v: { field: string }) => v.field).sort()).toEqual(["email", "password", "username"]);
  });

  it("rejects malformed JSON and unknown routes in Coder's shape", async () => {
    const bad = await call("/api/v2/users/login", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: "Request body must be valid JSON." });
    const missing = await call("/api/v2/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "Route not found." });
  });

  it("creates the first user", async () => {
    const res = await call("/api/v2/users/first", { method: "POST", json: OWNER });
    expect(res.status).toBe(201);
    userId = (await res.json<{ user_id: string }>()).user_id;
    const again = await call("/api/v2/users/first", { method: "POST", json: OWNER });
    expect(again.status).toBe(409);
  });

  it("refuses a wrong password", async () => {
    const res = await call("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: "Wrong-Password-123!" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "Incorrect email or password." });
  });

  it("logs in (argon2 verified by the WASM hasher)", async () => {
    const res = await call("/api/v2/users/login", { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
    expect(res.status).toBe(201);
    token = (await res.json<{ session_token: string }>()).session_token;
    expect(res.headers.get("set-cookie")).toContain("coder_session_token=");
  });

  it("returns /users/me", async () => {
    const res = await call("/api/v2/users/me", { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: userId, username: OWNER.username, status: "active", roles: [{ name: "owner" }] });
  });

  it("refuses a forged token", async () => {
    const [h, p] = token.split(".");
    const res = await call("/api/v2/users/me", { token: `${h}.${p}.${"A".repeat(86)}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: "API key secret is invalid." });
  });

  it("logs out, and the token is refused afterwards", async () => {
    const res = await call("/api/v2/users/logout", { method: "POST", token });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/coder_session_token=;.*Max-Age=0/);
    const after = await call("/api/v2/users/me", { token });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ detail: "API key is invalid." });
  });
});
