// Converting a password account to OIDC or GitHub sign-in, end to end against the loopback OIDC provider and
// the fake GitHub (Coder's coderd/userauth.go: postConvertLoginType, then the callback's convertUserToOauth).
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditLogs, userLinks, users } from "../../../src/db/schema.ts";
import { issueKey } from "../../../src/keys/issue.ts";
import { addUser, useTestApp } from "../../support/harness.ts";
import { body, Browser, GITHUB_CALLBACK, OIDC_CALLBACK, setCookies, signedInAs } from "./browser.ts";
import { askConvert, CONVERT_COOKIE, convertState, startPath } from "./convert.ts";
import { account } from "./fake-github.ts";
import { useProviders } from "./providers.ts";

const { idp, github } = useProviders();

describe("POST /users/{user}/convert-login", () => {
  const { app, owner } = useTestApp({ owner: true, env: () => ({ ...idp.env(), ...github.env() }) });

  it("answers the state, its expiry, the type and the user, and sets the state cookie", async () => {
    const ada = await addUser(app, { username: "ada", login: true });
    const browser = new Browser(app);
    const before = Date.now();
    const res = await askConvert(app, browser, ada, "oidc");
    expect(res.status).toBe(201);
    const answer = await body(res);
    expect(answer).toEqual({
      state_string: expect.stringMatching(/^convert-/),
      expires_at: expect.any(String),
      to_type: "oidc",
      user_id: ada.id,
    });
    // Coder's five minutes.
    const lifetime = Date.parse(answer.expires_at) - before;
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000 + 1000);
    const cookie = setCookies(res).find((line) => line.startsWith(`${CONVERT_COOKIE}=`))!;
    expect(cookie).toMatch(/Path=\/;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // Signed claims, no secret: neither the password nor its hash.
    const jwt = browser.cookies.get(CONVERT_COOKIE)!;
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ user_id: ada.id, state: answer.state_string, from_login_type: "password", to_login_type: "oidc" });
    expect(jwt).not.toContain(ada.password);
    expect(JSON.stringify(claims)).not.toMatch(/argon2/);
    const [audit] = await app.db.select().from(auditLogs).where(eq(auditLogs.resourceType, "convert_login"));
    expect(audit).toMatchObject({ action: "create", resourceId: ada.id, resourceTarget: "oidc", userId: ada.id, statusCode: 201 });
    expect(audit!.diff).toEqual({ to_type: { new: "oidc", secret: false }, password: { secret: true } });
  });

  it.each([
    [{ to_type: "saml", password: "x" }, 400, { message: 'Unknown login type "saml".' }],
    [{ to_type: "password", password: "x" }, 400, { message: 'Cannot convert to login type "password".' }],
    [{ to_type: "token", password: "x" }, 400, { message: 'Cannot convert to login type "token".' }],
    [{ to_type: "none", password: "x" }, 400, { message: 'Cannot convert to login type "none".' }],
    [{ to_type: "oidc" }, 400, { message: "Validation failed.", validations: [{ field: "password", detail: expect.any(String) }] }],
    [{ password: "x" }, 400, { message: "Validation failed.", validations: [{ field: "to_type", detail: expect.any(String) }] }],
    [{ to_type: "github", password: "wrong password" }, 401, { message: "Incorrect email or password." }],
  ])("%j → %i", async (json, status, expected) => {
    const user = await addUser(app, { username: `u${Math.floor(Math.random() * 1e9)}`, login: true });
    const res = await app.request("/api/v2/users/me/convert-login", { method: "POST", token: user.token, json });
    expect(res.status).toBe(status);
    expect(await body(res)).toEqual(expected);
    expect(setCookies(res).join()).not.toContain(CONVERT_COOKIE);
  });

  it("is for the user alone: an owner asking for a member is refused, even with the right password", async () => {
    const grace = await addUser(app, { username: "grace", login: true });
    const res = await app.request(`/api/v2/users/${grace.id}/convert-login`, {
      method: "POST",
      token: owner.token,
      json: { to_type: "oidc", password: grace.password },
    });
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({ message: "You are not authorized to convert this user's login type." });
  });

  it("converts to OIDC: login type switched, account linked, password and password sessions gone, audited", async () => {
    const ada = await addUser(app, { username: "ada-oidc", email: "ada.oidc@example.com", login: true });
    const browser = new Browser(app);
    const state = await convertState(app, browser, ada, "oidc");
    idp.next = {
      idToken: { sub: "ada-sub", email: "ada.oidc@example.com", email_verified: true, preferred_username: "ada" },
      userInfo: {},
    };
    const done = await browser.signIn(startPath(OIDC_CALLBACK, state));
    expect(done.status, await done.clone().text()).toBe(307);
    expect(done.headers.get("location")).toBe("/settings/security");
    expect(browser.cookies.has(CONVERT_COOKIE)).toBe(false);

    expect(await signedInAs(app, browser)).toMatchObject({ id: ada.id, username: "ada-oidc", login_type: "oidc" });
    const [row] = await app.db.select().from(users).where(eq(users.id, ada.id));
    expect(row).toMatchObject({ loginType: "oidc", hashedPassword: "" });
    const [link] = await app.db.select().from(userLinks).where(eq(userLinks.userId, ada.id));
    expect(link).toMatchObject({ loginType: "oidc", linkedId: `${idp.issuer}||ada-sub` });
    const passwordKeys = await app.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, ada.id), eq(apiKeys.loginType, "password")));
    expect(passwordKeys).toEqual([]);
    expect((await app.request("/api/v2/users/me", { token: ada.token })).status).toBe(401);
    const again = await app.request("/api/v2/users/login", { method: "POST", json: { email: ada.email, password: ada.password } });
    expect(again.status).toBe(401);
    const writes = await app.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.resourceId, ada.id), eq(auditLogs.action, "write")));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ resourceType: "user", resourceTarget: "ada-oidc", userId: ada.id });
    expect(writes[0]!.diff).toEqual({ login_type: { old: "password", new: "oidc", secret: false }, hashed_password: { secret: true } });
  });

  it("converts to GitHub the same way", async () => {
    const octo = await addUser(app, { username: "octo", email: "octo@example.com", login: true });
    const browser = new Browser(app);
    const state = await convertState(app, browser, octo, "github");
    const gh = account({ login: "octo" });
    github.signIn(gh);
    const done = await browser.signIn(startPath(GITHUB_CALLBACK, state, "/"));
    expect(done.status, await done.clone().text()).toBe(307);
    expect(await signedInAs(app, browser)).toMatchObject({ id: octo.id, login_type: "github" });
    const [link] = await app.db.select().from(userLinks).where(eq(userLinks.userId, octo.id));
    expect(link).toMatchObject({ loginType: "github", linkedId: String(gh.id) });
    const [row] = await app.db.select().from(users).where(eq(users.id, octo.id));
    expect(row!.hashedPassword).toBe("");
    // An account that has no password left cannot ask again.
    const token = browser.cookies.get("coder_session_token")!;
    const res = await app.request("/api/v2/users/me/convert-login", {
      method: "POST",
      token,
      json: { to_type: "oidc", password: octo.password },
    });
    expect(res.status).toBe(401);
    expect(await body(res)).toEqual({ message: "Incorrect email or password." });
  });
});

describe("POST /users/{user}/convert-login without GitHub", () => {
  const { app } = useTestApp({ env: () => idp.env() });

  it("refuses a conversion to a provider that is not configured, before the password is checked", async () => {
    const user = await addUser(app, { username: "lin", login: true });
    const res = await app.request("/api/v2/users/me/convert-login", {
      method: "POST",
      token: user.token,
      json: { to_type: "github", password: "wrong" },
    });
    expect(res.status).toBe(428);
    expect(await body(res)).toEqual({ message: "The oauth2 method requested is not configured!" });
  });
});

describe("POST /users/{user}/convert-login with password sign-in disabled", () => {
  const { app } = useTestApp({ env: () => ({ ...idp.env(), CODER_DISABLE_PASSWORD_AUTH: "true" }) });

  it("refuses, as Coder's password check does, once the password is right", async () => {
    const user = await addUser(app, { username: "kim" });
    // No password sign-in here: a session issued directly, as another sign-in method would.
    const { token } = await issueKey(app.deps, app.db, { userId: user.id, loginType: "password", lifetimeMs: 3600_000, ip: "127.0.0.1" });
    const ask = (password: string) =>
      app.request("/api/v2/users/me/convert-login", { method: "POST", token, json: { to_type: "oidc", password } });
    const wrong = await ask("wrong");
    expect(wrong.status).toBe(401);
    expect(await body(wrong)).toEqual({ message: "Incorrect email or password." });
    const right = await ask(user.password);
    expect(right.status).toBe(403);
    expect(await body(right)).toEqual({ message: "Password authentication is disabled." });
  });
});
