// The user status gate: a suspended user's sessions and logins are refused, reactivation restores them,
// and a dormant user becomes active by signing in or using a session.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { insertMember, json, keysOf, login, post, userRow, useKnownKeyApp } from "../../support/harness.ts";

const { app, me } = useKnownKeyApp();

describe("user status gate", () => {
  const member = { email: "suspendee@example.com", username: "suspendee", password: "MySecurePassword!" };
  let memberId = "";
  let memberToken = "";

  beforeAll(async () => {
    memberId = (await insertMember(app, member)).id;
    memberToken = await login(app, member.email, member.password);
  });

  const setStatus = (status: "active" | "suspended" | "dormant") => app.db.update(users).set({ status }).where(eq(users.id, memberId));

  it("refuses a suspended user's existing session with Coder's message", async () => {
    await setStatus("suspended");
    const res = await me(memberToken);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      message: 'User is not active (status = "suspended"). Contact an admin to reactivate your account.',
    });
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    // Suspension keeps the keys.
    expect(await keysOf(app, memberId)).toHaveLength(1);
  });

  it("refuses a suspended user's login with a message containing suspended", async () => {
    const res = await post(app, "/users/login", { email: member.email, password: member.password });
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body.message).toContain("suspended");
    expect(body.message).toContain("Contact an admin");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await keysOf(app, memberId)).toHaveLength(1);
  });

  it("a suspended user with a wrong password learns only 401 Incorrect email or password.", async () => {
    const res = await post(app, "/users/login", { email: member.email, password: "WrongPassword!1" });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
  });

  it("reactivation makes the old session work again", async () => {
    await setStatus("active");
    const res = await me(memberToken);
    expect(res.status).toBe(200);
    expect(await json<{ id: string; status: string }>(res)).toMatchObject({ id: memberId, status: "active" });
  });

  it("a dormant user is activated by using a session", async () => {
    await setStatus("dormant");
    const res = await me(memberToken);
    expect(res.status).toBe(200);
    expect(await json<{ status: string }>(res)).toMatchObject({ status: "active" });
    expect((await userRow(app, memberId)).status).toBe("active");
  });

  it("a dormant user is activated by logging in", async () => {
    await setStatus("dormant");
    const res = await post(app, "/users/login", { email: member.email, password: member.password });
    expect(res.status).toBe(201);
    expect((await userRow(app, memberId)).status).toBe("active");
  });
});
