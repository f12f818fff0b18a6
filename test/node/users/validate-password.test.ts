// POST /users/validate-password: Coder's password rules
// (https://github.com/coder/coder/blob/main/coderd/userpassword/userpassword.go), without a session.
import { describe, expect, it } from "vitest";
import { json, post, required, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("POST /users/validate-password", () => {
  it("accepts a strong password", async () => {
    const res = await post(app, "/users/validate-password", { password: "MySecurePassword!" });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ valid: true, details: "" });
  });

  it("rejects a weak password with the validator's advice", async () => {
    const res = await post(app, "/users/validate-password", { password: "password" });
    expect(res.status).toBe(200);
    const body = await json<{ valid: boolean; details: string }>(res);
    expect(body.valid).toBe(false);
    expect(body.details).toBe(
      "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password",
    );
  });

  it("rejects a 65-character password, accepts a 64-character one", async () => {
    const tooLong = await post(app, "/users/validate-password", { password: `Aa1!${"Zq9#".repeat(15)}x` });
    expect(tooLong.status).toBe(200);
    expect(await json(tooLong)).toEqual({ valid: false, details: "password must be no more than 64 characters" });
    const max = await post(app, "/users/validate-password", { password: `Aa1!${"Zq9#".repeat(15)}` });
    expect(await json(max)).toEqual({ valid: true, details: "" });
  });

  it("needs no session", async () => {
    const res = await post(app, "/users/validate-password", { password: "SomeNewStrongPassword!" });
    expect(res.status).toBe(200);
  });

  it("answers a missing password with 400 Validation failed.", async () => {
    const res = await post(app, "/users/validate-password", {});
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "password", detail: required() }],
    });
  });
});
