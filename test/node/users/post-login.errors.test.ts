// POST /users/login refusals (https://github.com/coder/coder/blob/main/coderd/userauth.go): 400 for a malformed body, one
// 401 for an unknown email and a wrong password alike.
import { describe, expect, it } from "vitest";
import { expectCommonHeaders, insertMember, json, OWNER, post, required, tagged, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("POST /users/login errors", () => {
  it("answers an empty password with 400, not 401", async () => {
    const res = await post(app, "/users/login", { email: OWNER.email, password: "" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "password", detail: required() }],
    });
  });

  it("answers a missing email with 400", async () => {
    const res = await post(app, "/users/login", { password: OWNER.password });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "email", detail: required() }],
    });
  });

  it("answers a malformed email with 400 tag email", async () => {
    const res = await post(app, "/users/login", { email: "owner", password: OWNER.password });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "email", detail: tagged("email", "owner") }],
    });
  });

  it("answers an unknown email with 401", async () => {
    const res = await post(app, "/users/login", { email: "nobody@example.com", password: "hunter2" });
    expect(res.status).toBe(401);
    expectCommonHeaders(app, res);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers a wrong password with the same 401", async () => {
    const res = await post(app, "/users/login", { email: OWNER.email, password: "SomeWrongPassword!" });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: "Incorrect email or password." });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("never accepts any password for an account without a password hash", async () => {
    await insertMember(app, { email: "sso@example.com", username: "sso-user", hashedPassword: "" });
    for (const password of ["hunter2", "SomeSecurePassword!"]) {
      const res = await post(app, "/users/login", { email: "sso@example.com", password });
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({ message: "Incorrect email or password." });
    }
    const empty = await post(app, "/users/login", { email: "sso@example.com", password: "" });
    expect(empty.status).toBe(400);
  });
});
