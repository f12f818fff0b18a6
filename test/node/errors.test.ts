// Bad input and the public, unauthenticated surface: every client mistake is a 4xx in Coder's error
// shape, and the meta endpoints answer as Coder clients expect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/db/schema.ts";
import { API, get, insertMember, json, OWNER, post, startTestApp, type TestApp } from "../support/harness.ts";

const required = (value = "") => `Validation failed for tag "required" with value: "${value}"`;
const tagged = (tag: string, value: string) => `Validation failed for tag "${tag}" with value: "${value}"`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function userCount(): Promise<number> {
  return (await app.db.select({ id: users.id }).from(users)).length;
}

function expectCommonHeaders(res: Response) {
  expect(res.headers.get("X-Coder-Build-Version")).toBe(app.deps.config.buildVersion);
  expect(res.headers.get("X-Request-Id")).toMatch(/\S+/);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
}

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
    expectCommonHeaders(res);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [
        { field: "email", detail: required() },
        { field: "username", detail: required() },
        { field: "password", detail: required() },
      ],
    });
    expect(await userCount()).toBe(0);
  });

  it("rejects empty strings as missing (tag required)", async () => {
    const res = await post(app, "/users/first", { email: "", username: "", password: "" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [
        { field: "email", detail: required() },
        { field: "username", detail: required() },
        { field: "password", detail: required() },
      ],
    });
  });

  it("rejects a malformed email with tag email", async () => {
    const res = await post(app, "/users/first", { ...OWNER, email: "not-an-email" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [{ field: "email", detail: tagged("email", "not-an-email") }],
    });
    expect(await userCount()).toBe(0);
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
    expect(await userCount()).toBe(0);
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

  it("rejects a weak password with Password not strong enough!", async () => {
    const res = await post(app, "/users/first", { ...OWNER, password: "password" });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.message).toBe("Password not strong enough!");
    expect(body.validations).toHaveLength(1);
    expect(body.validations![0]!.field).toBe("password");
    expect(body.validations![0]!.detail).toMatch(/^insecure password, try .* or using a longer password$/);
    expect(await userCount()).toBe(0);
  });

  it("rejects a password over 64 characters", async () => {
    const res = await post(app, "/users/first", { ...OWNER, password: `Aa1!${"x".repeat(61)}` });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Password not strong enough!",
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
    expect(await userCount()).toBe(1);
  });

  it("answers 409 for a second first user", async () => {
    const res = await post(app, "/users/first", { ...OWNER, email: "other@example.com", username: "other" });
    expect(res.status).toBe(409);
    expectCommonHeaders(res);
    expect(await json(res)).toEqual({ message: "The initial user has already been created." });
    expect(await userCount()).toBe(1);
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

describe("body decoding", () => {
  it("answers malformed JSON with 400 Request body must be valid JSON.", async () => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": "owner@example.com",',
    });
    expect(res.status).toBe(400);
    expectCommonHeaders(res);
    const body = await json(res);
    expect(body.message).toBe("Request body must be valid JSON.");
    expect(body.detail).toEqual(expect.any(String));
    expect(body.detail).not.toBe("");
    expect(body).not.toHaveProperty("validations");
  });

  it("answers an empty body with detail EOF", async () => {
    const res = await app.request(`${API}/users/first`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
  });

  it("answers a whitespace-only body without a content type with detail EOF", async () => {
    const res = await app.request(`${API}/users/validate-password`, { method: "POST", body: "  \n" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
  });

  it("decodes a text/plain body as JSON, as Go's decoder ignores the content type", async () => {
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ password: "MySecurePassword!" }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ valid: true, details: "" });
  });

  it("decodes a body sent with no content type at all", async () => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    expect(res.status).toBe(201);
    expect(await json<{ session_token: string }>(res)).toEqual({ session_token: expect.any(String) });
  });

  it.each([
    ["[1,2]", "array"],
    ['"text"', "string"],
    ["42", "number"],
    ["true", "boolean"],
  ])("answers a JSON body %s that is not an object with 400 Request body must be valid JSON.", async (body, kind) => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Request body must be valid JSON.", detail: `cannot unmarshal ${kind} into an object` });
  });

  it("decodes a null body as an empty object, so every required field fails validation", async () => {
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "null",
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      message: "Validation failed.",
      validations: [
        { field: "email", detail: required() },
        { field: "password", detail: required() },
      ],
    });
  });

  it("refuses a body over 1 MiB with 413", async () => {
    const big = JSON.stringify({ password: "x".repeat(1024 * 1024 + 16) });
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(res.status).toBe(413);
    expectCommonHeaders(res);
    const body = await json(res);
    expect(body.message).toBe("Request body too large.");
    expect(body.detail).toContain("1048576");
  });

  it("refuses a streamed body over 1 MiB without a Content-Length with 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await json(res)).message).toBe("Request body too large.");
  });

  it("accepts a body just under the limit (the limit is not off by a lot)", async () => {
    const res = await app.request(`${API}/users/validate-password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: "x".repeat(1024 * 1024 - 64) }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ valid: false, details: "password must be no more than 64 characters" });
  });
});

describe("unknown routes", () => {
  it.each([`${API}/nope`, `${API}/users/me/nope/deeper`, "/nope", "/api/v3/users/me"])(
    "answers %s with 404 Route not found.",
    async (path) => {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expectCommonHeaders(res);
      expect(await json(res)).toEqual({ message: "Route not found." });
    },
  );

  it("answers an unsupported method on a known path with 404 Route not found.", async () => {
    const res = await app.request(`${API}/buildinfo`, { method: "PATCH" });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: "Route not found." });
  });
});

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
    expectCommonHeaders(res);
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

  it("GET /buildinfo has the shape the Coder CLI reads", async () => {
    const res = await get(app, "/buildinfo");
    expect(res.status).toBe(200);
    const body = await json<Record<string, unknown>>(res);
    expect(body).toEqual({
      external_url: "http://gatehouse.test",
      version: app.deps.config.buildVersion,
      dashboard_url: "http://gatehouse.test",
      telemetry: false,
      workspace_proxy: false,
      agent_api_version: expect.any(String),
      provisioner_api_version: expect.any(String),
      upgrade_message: "",
      deployment_id: expect.stringMatching(/\S/),
    });
    expect(body.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(res.headers.get("X-Coder-Build-Version")).toBe(body.version);
  });

  it("serves an OpenAPI 3.1 document listing the users routes", async () => {
    const res = await app.request(`${API}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json<{ openapi: string; info: { version: string }; paths: Record<string, Record<string, unknown>> }>(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(app.deps.config.buildVersion);
    expect(doc.paths).toHaveProperty(["/api/v2/users/login", "post"]);
    expect(doc.paths).toHaveProperty(["/api/v2/users/first", "post"]);
    expect(doc.paths).toHaveProperty(["/api/v2/users/{user}", "get"]);
    expect(JSON.stringify(doc)).not.toMatch(/hashed_password/);
  });
});

describe("headers on every response", () => {
  it("sets X-Coder-Build-Version and X-Request-Id on 400, 401, 404 and 413 alike", async () => {
    const responses = [
      await post(app, "/users/first", {}),
      await get(app, "/users/me"),
      await app.request("/does-not-exist"),
      await app.request(`${API}/users/validate-password`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(1024 * 1024 + 1),
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([400, 401, 404, 413]);
    const ids = new Set<string>();
    for (const res of responses) {
      expectCommonHeaders(res);
      ids.add(res.headers.get("X-Request-Id")!);
    }
    expect(ids.size).toBe(responses.length);
  });

  it("echoes a caller-supplied X-Request-Id", async () => {
    const res = await app.request(`${API}/users/authmethods`, { headers: { "X-Request-Id": "trace-123" } });
    expect(res.headers.get("X-Request-Id")).toBe("trace-123");
  });
});
