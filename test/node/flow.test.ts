// The first-run flow a Coder client walks: first user → login → me → logout → 401.
import { describe, expect, it } from "vitest";
import { OWNER, useTestApp } from "../support/harness.ts";

const { app } = useTestApp();

describe("first user, login, me, logout", () => {
  let token = "";
  let userId = "";
  let orgId = "";

  it("reports no first user on a fresh server", async () => {
    const res = await app.request("/api/v2/users/first");
    expect(res.status).toBe(404);
    expect(res.headers.get("X-Coder-Build-Version")).toBeTruthy();
    expect(await res.json()).toEqual({ message: "The initial user has not been created!" });
  });

  it("creates the first user as owner of the default org", async () => {
    const res = await app.request("/api/v2/users/first", { method: "POST", json: OWNER });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user_id: string; organization_id: string };
    userId = body.user_id;
    orgId = body.organization_id;
    expect(res.headers.get("set-cookie")).toBeNull();
    expect((await app.request("/api/v2/users/first")).status).toBe(200);
  });

  it("logs in with a case-insensitive email and sets the session cookie", async () => {
    const res = await app.request("/api/v2/users/login", {
      method: "POST",
      json: { email: OWNER.email.toUpperCase(), password: OWNER.password },
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { session_token: string }).session_token;
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`coder_session_token=${token}`);
    expect(cookie).toContain("Max-Age=31536000");
    expect(cookie).toContain("HttpOnly");
  });

  it("returns the owner from /users/me", async () => {
    const res = await app.request("/api/v2/users/me", { token });
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me).toMatchObject({
      id: userId,
      username: OWNER.username,
      email: OWNER.email,
      name: OWNER.name,
      status: "active",
      login_type: "password",
      organization_ids: [orgId],
      roles: [{ name: "owner", display_name: "Owner" }],
    });
    expect(me).not.toHaveProperty("hashed_password");
  });

  it("logs out, clears the cookie, and the token stops working", async () => {
    const res = await app.request("/api/v2/users/logout", { method: "POST", token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Logged out!" });
    expect(res.headers.get("set-cookie")).toMatch(/coder_session_token=;.*Max-Age=0/);
    const after = await app.request("/api/v2/users/me", { token });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ detail: "API key is invalid." });
  });
});
