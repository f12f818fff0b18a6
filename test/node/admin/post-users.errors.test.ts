// POST /users, every refusal in Coder's words and order, and that a refused request writes nothing
// (https://github.com/coder/coder/blob/main/coderd/users.go).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createUser, json, startTestApp, STRONG, userCount, USERS, useTestApp, sendJsonText } from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const { app, owner } = useTestApp({ owner: true });
let before = 0;

const valid = () => ({ email: "new@example.com", username: "new-user", password: STRONG, organization_ids: [owner.organizationId] });
const tagDetail = (tag: string, value: string) => `Validation failed for tag "${tag}" with value: "${value}"`;

beforeAll(async () => {
  before = await userCount(app);
});

describe("POST /users refusals", () => {
  it("requires a session", async () => {
    const res = await app.request(USERS, { method: "POST", json: valid() });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ detail: 'Cookie "coder_session_token" or query parameter must be provided.' });
  });

  it("answers 409 for the owner's own email and username, before looking at organizations", async () => {
    const res = await createUser(app, owner.token, {
      email: "owner@example.com",
      username: "owner",
      password: STRONG,
      organization_ids: [crypto.randomUUID()],
    });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({ message: "User already exists." });
  });

  it("answers 409 for a username or email differing only in case", async () => {
    for (const clash of [{ username: "OWNER" }, { email: "OWNER@EXAMPLE.COM" }]) {
      const res = await createUser(app, owner.token, { ...valid(), ...clash });
      expect(res.status).toBe(409);
      expect(await json(res)).toEqual({ message: "User already exists." });
    }
  });

  it("answers 404 for an unknown organization", async () => {
    const missing = crypto.randomUUID();
    const res = await createUser(app, owner.token, { ...valid(), organization_ids: [owner.organizationId, missing] });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ message: `Organization does not exist with the provided id "${missing}".` });
  });

  it("refuses login type none without a service account", async () => {
    const res = await createUser(app, owner.token, { ...valid(), password: "", login_type: "none" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "Login type 'none' requires a service account." });
  });

  it("refuses OIDC users: Gatehouse has no OIDC provider configured", async () => {
    const res = await createUser(app, owner.token, { ...valid(), password: "", login_type: "oidc" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: "You must configure OIDC before creating OIDC users." });
  });

  it("refuses service accounts as a Premium feature, after their own 400 checks", async () => {
    const sa = { username: "robot", service_account: true, organization_ids: [owner.organizationId] };
    const premium = await createUser(app, owner.token, sa);
    expect(premium.status).toBe(403);
    expect((await json(premium)).message).toBe("Service Accounts is a Premium feature. Contact sales!");
    const cases: [Record<string, unknown>, string][] = [
      [{ login_type: "password" }, "Service accounts must use login type 'none'."],
      [{ password: STRONG }, "Password cannot be set for service accounts."],
      [{ email: "robot@example.com" }, "Email cannot be set for service accounts."],
    ];
    for (const [extra, message] of cases) {
      const res = await createUser(app, owner.token, { ...sa, ...extra });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ message });
    }
  });

  it("requires an email from non-service accounts", async () => {
    for (const email of [undefined, ""]) {
      const res = await createUser(app, owner.token, { ...valid(), email });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({
        message: "Validation failed.",
        validations: [{ field: "email", detail: tagDetail("required", "") }],
      });
    }
  });

  it("requires at least one organization", async () => {
    const expected = {
      message:
        "No organization specified to place the user as a member of. It is required to specify at least one organization id to place the user in.",
      detail: "required at least 1 value for the array 'organization_ids'",
      validations: [{ field: "organization_ids", detail: "Missing values, this cannot be empty" }],
    };
    for (const organization_ids of [[], undefined]) {
      const res = await createUser(app, owner.token, { ...valid(), organization_ids });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual(expected);
    }
  });

  it("refuses a password for non-password login types", async () => {
    const res = await createUser(app, owner.token, { ...valid(), login_type: "github" });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: 'Password cannot be set for non-password ("github") authentication.' });
  });

  it("refuses login types that cannot be created by hand", async () => {
    for (const login_type of ["token", "oauth2_provider_app", "PASSWORD"]) {
      const res = await createUser(app, owner.token, { ...valid(), password: "", login_type });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ message: `Unsupported login type "${login_type}" for manually creating new users.` });
    }
  });

  it("validates usernames with Coder's name rules", async () => {
    for (const username of ["bad_name", "-x", "x-", "a".repeat(33), "new", "create", "two--dashes"]) {
      const res = await createUser(app, owner.token, { ...valid(), username });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({
        message: "Validation failed.",
        validations: [{ field: "username", detail: tagDetail("username", username) }],
      });
    }
    const missing = await createUser(app, owner.token, { ...valid(), username: undefined });
    expect((await json(missing)).validations).toEqual([{ field: "username", detail: tagDetail("required", "") }]);
  });

  it("validates email format, display name and status in the tag format", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ email: "not-an-email" }, "email", tagDetail("email", "not-an-email")],
      [{ name: " Padded" }, "name", tagDetail("user_real_name", " Padded")],
      [{ name: "x".repeat(129) }, "name", tagDetail("user_real_name", "x".repeat(129))],
      [{ user_status: "asleep" }, "user_status", tagDetail("oneof", "asleep")],
    ];
    for (const [extra, field, detail] of cases) {
      const res = await createUser(app, owner.token, { ...valid(), ...extra });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ message: "Validation failed.", validations: [{ field, detail }] });
    }
  });

  it("reports every invalid field at once", async () => {
    const res = await createUser(app, owner.token, { email: "nope", username: "bad_name", organization_ids: [owner.organizationId] });
    expect(res.status).toBe(400);
    expect((await json(res)).validations?.map((v) => v.field).sort()).toEqual(["email", "username"]);
  });

  it("refuses role names that are not site roles", async () => {
    for (const role of ["emperor", "organization-admin"]) {
      const res = await createUser(app, owner.token, { ...valid(), roles: ["auditor", role] });
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({
        message: "Validation failed.",
        validations: [{ field: "roles", detail: `"${role}" is not a supported site role` }],
      });
    }
  });

  it("checks password strength for password users", async () => {
    for (const password of ["password", "", "x".repeat(65)]) {
      const res = await createUser(app, owner.token, { ...valid(), password });
      expect(res.status).toBe(400);
      const err = await json(res);
      expect(err.message).toBe("Password is invalid");
      expect(err.validations?.[0]?.field).toBe("password");
    }
    const long = await json(await createUser(app, owner.token, { ...valid(), password: "Aa1!".repeat(17) }));
    expect(long.validations).toEqual([{ field: "password", detail: "password must be no more than 64 characters" }]);
  });

  it("answers malformed organization ids as a JSON decoding error, like Go's uuid type", async () => {
    const short = await createUser(app, owner.token, { ...valid(), organization_ids: ["nope"] });
    expect(short.status).toBe(400);
    expect(await json(short)).toEqual({ message: "Request body must be valid JSON.", detail: "invalid UUID length: 4" });
    const bad = await createUser(app, owner.token, { ...valid(), organization_ids: ["zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"] });
    expect(await json(bad)).toEqual({ message: "Request body must be valid JSON.", detail: "invalid UUID format" });
  });

  it("answers an empty or broken body as Coder's decoder does", async () => {
    const empty = await sendJsonText(app, "POST", "/users", "", owner.token);
    expect(empty.status).toBe(400);
    expect(await json(empty)).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const broken = await sendJsonText(app, "POST", "/users", "{", owner.token);
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toBe("Request body must be valid JSON.");
  });

  it("lets the database decide a race: of parallel identical creates exactly one wins, the rest get 409", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => createUser(app, owner.token, { ...valid(), username: "racer", email: "racer@example.com" })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(await json(r)).toEqual({ message: "User already exists." });
  });

  it("left no row behind for any refusal above (the race's winner is the only new user)", async () => {
    expect(await userCount(app)).toBe(before + 1);
  });
});

describe("POST /users with password authentication disabled", () => {
  it("refuses password users with 403 but still creates SSO users", async () => {
    const locked = await startTestApp({ env: { CODER_DISABLE_PASSWORD_AUTH: "true" } });
    try {
      // The owner can no longer log in with a password: mint the session directly.
      const { issueKey } = await import("../../../src/keys/issue.ts");
      const created = await locked.request("/api/v2/users/first", {
        method: "POST",
        json: { email: "o@example.com", username: "o", password: STRONG },
      });
      const { user_id, organization_id } = (await created.json()) as { user_id: string; organization_id: string };
      const { token } = await issueKey(locked.deps, locked.db, {
        userId: user_id,
        loginType: "password",
        lifetimeMs: 3600_000,
        ip: "127.0.0.1",
      });

      for (const login_type of [undefined, "", "password"]) {
        const res = await createUser(locked, token, {
          email: "p@example.com",
          username: "p",
          password: STRONG,
          login_type,
          organization_ids: [organization_id],
        });
        expect(res.status).toBe(403);
        expect(await json(res)).toEqual({
          message: "Password based authentication is disabled! Unable to provision new users with password authentication.",
        });
      }
      const sso = await createUser(locked, token, {
        email: "g@example.com",
        username: "g",
        login_type: "github",
        organization_ids: [organization_id],
      });
      expect(sso.status).toBe(201);
    } finally {
      await locked.close();
    }
  });
});
