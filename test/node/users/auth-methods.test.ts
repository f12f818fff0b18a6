// GET /users/authmethods without a session, and what turning password sign-in off changes.
import { describe, expect, it } from "vitest";
import { get, json, OWNER, post, useTestApp } from "../../support/harness.ts";

const { app } = useTestApp({ owner: true });

describe("public metadata", () => {
  it("GET /users/authmethods reports password enabled without auth", async () => {
    const res = await get(app, "/users/authmethods");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      password: { enabled: true },
      github: { enabled: false, default_provider_configured: false },
      oidc: { enabled: false, signInText: "", iconUrl: "" },
    });
  });

  it("with password auth disabled: authmethods says so and login is 403", async () => {
    // The config object is read per request; flipping it here avoids booting a second database.
    app.deps.config.disablePasswordAuth = true;
    try {
      const methods = await get(app, "/users/authmethods");
      expect(methods.status).toBe(200);
      expect(await json<{ password: { enabled: boolean } }>(methods)).toMatchObject({ password: { enabled: false } });
      const res = await post(app, "/users/login", { email: OWNER.email, password: OWNER.password });
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ message: "Password authentication is disabled." });
      expect(res.headers.get("set-cookie")).toBeNull();
      // A wrong password still learns nothing more than 401.
      const wrong = await post(app, "/users/login", { email: OWNER.email, password: "SomeWrongPassword!" });
      expect(wrong.status).toBe(401);
    } finally {
      app.deps.config.disablePasswordAuth = false;
    }
  });
});
