// GET and POST /users/first on a fresh server (https://github.com/coder/coder/blob/main/coderd/users.go): every validation in Coder's
// words and order, then the one owner, then 409 for anyone after.
import { describe, expect, it } from "vitest";
import { expectCommonHeaders, get, json, OWNER, post, required, tagged, userCount, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp();

/** The answer to a body with none of the three fields: one required validation per field, in field order. */
const ALL_REQUIRED = {
  message: "Validation failed.",
  validations: [
    { field: "email", detail: required() },
    { field: "username", detail: required() },
    { field: "password", detail: required() },
  ],
};

// Order matters in this block: everything before "creates the first user" runs on an empty server.
describe("POST /users/first on a fresh server", () => {
  it("GET /users/first is 404 before anyone exists", async () => {
    const res = await get(app, "/users/first");
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: "The initial user has not been created!" });
  });

  it("rejects {} with one required validation per field, in field order", async () => {
    const res = await post(app, "/users/first", {});
    expect(res.status).toBe(400);
    expectCommonHeaders(app, res);
    expect(await json(res)).toEqual(ALL_REQUIRED);
    expect(await userCount(app)).toBe(0);
  });

  it("rejects empty strings as missing (tag required)", async () => {
    const res = await post(app, "/users/first", { email: "", username: "", password: "" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual(ALL_REQUIRED);
  });

  it("rejects a malformed email with tag email", async () => {
    const res = await post(app, "/users/first", { ...OWNER, email: "not-an-email" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "email", detail: tagged("email", "not-an-email") }],
    });
    expect(await userCount(app)).toBe(0);
  });

  it.each([
    ["bad_name", "underscore"],
    ["-x", "leading hyphen"],
    ["x-", "trailing hyphen"],
    ["a--b", "double hyphen"],
    ["a".repeat(33), "33 characters"],
    ["new", "reserved"],
    ["create", "reserved"],
    ["has space", "space"],
  ])("rejects username %j (%s) with field username", async (username) => {
    const res = await post(app, "/users/first", { ...OWNER, username });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "username", detail: tagged("username", username) }],
    });
    expect(await userCount(app)).toBe(0);
  });

  it("rejects a display name with surrounding whitespace (tag user_real_name)", async () => {
    const res = await post(app, "/users/first", { ...OWNER, name: " Olivia" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "name", detail: tagged("user_real_name", " Olivia") }],
    });
  });

  it("rejects a wrongly typed field as a validation failure, not a 500", async () => {
    const res = await post(app, "/users/first", { ...OWNER, username: 42 });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.message).toBe("Validation failed.");
    expect(body.validations?.map((v) => v.field)).toEqual(["username"]);
  });

  it("rejects a weak password with Password is invalid", async () => {
    const res = await post(app, "/users/first", { ...OWNER, password: "password" });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.message).toBe("Password is invalid");
    expect(body.validations).toHaveLength(1);
    expect(body.validations![0]!.field).toBe("password");
    expect(body.validations![0]!.detail).toMatch(/^insecure password, try .* or using a longer password$/);
    expect(await userCount(app)).toBe(0);
  });

  it("rejects a strong password over 64 characters", async () => {
    const res = await post(app, "/users/first", { ...OWNER, password: `Aa1!${"Zq9#".repeat(15)}x` });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Password is invalid",
      validations: [{ field: "password", detail: "password must be no more than 64 characters" }],
    });
  });

  it("ignores unknown fields and enterprise trial answers", async () => {
    const res = await post(app, "/users/first", {
      ...OWNER,
      trial: false,
      trial_info: { first_name: "O" },
      onboarding_info: { newsletter_marketing: false },
      unexpected: "ignored",
    });
    expect(res.status).toBe(201);
    const body = await json<{ user_id: string; organization_id: string }>(res);
    expect(body).toEqual({ user_id: expect.any(String), organization_id: expect.any(String) });
    expect(await userCount(app)).toBe(1);
  });

  it("answers 409 for a second first user", async () => {
    const res = await post(app, "/users/first", { ...OWNER, email: "other@example.com", username: "other" });
    expect(res.status).toBe(409);
    expectCommonHeaders(app, res);
    expect(await json(res)).toEqual({ message: "The initial user has already been created." });
    expect(await userCount(app)).toBe(1);
  });

  it("checks for an existing user before password strength (409, not 400)", async () => {
    const res = await post(app, "/users/first", { ...OWNER, email: "x@example.com", username: "x", password: "password" });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({ message: "The initial user has already been created." });
  });

  it("still validates the body before answering 409", async () => {
    const res = await post(app, "/users/first", {});
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe("Validation failed.");
  });

  it("GET /users/first is 200 once the owner exists", async () => {
    const res = await get(app, "/users/first");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ message: "The initial user has already been created!" });
  });
});
