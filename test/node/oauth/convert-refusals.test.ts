// The conversion's refusals at the provider's callback (Coder's coderd/userauth.go convertUserToOauth and
// coderd/httpmw/oauth2.go): a missing, foreign, expired, replayed or mismatched state converts nothing.
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { addUser, type AddedUser, useTestApp } from "../../support/harness.ts";
import { body, Browser, GITHUB_CALLBACK, OIDC_CALLBACK } from "./browser.ts";
import { CONVERT_COOKIE, convertState, startPath } from "./convert.ts";
import { useProviders } from "./providers.ts";

const { idp, github } = useProviders();

const MISSING = { message: "Convert to oauth cookie not found. Missing signed jwt to authorize this action. Please try again." };
const MISMATCH = { message: "Request to convert login type failed. State mismatch." };
const failed = (from: string, to: string) => ({ message: `Request to convert login type from ${from} to ${to} failed` });

describe("the callback with a conversion's state", () => {
  const { app } = useTestApp({ env: () => ({ ...idp.env(), ...github.env() }) });
  let n = 0;
  /** A fresh password member, signed in. */
  const member = () => addUser(app, { username: `conv-${++n}`, login: true });
  const signingInAs = (user: { email: string }, sub = `sub-${++n}`) => {
    idp.next = { idToken: { sub, email: user.email, email_verified: true }, userInfo: {} };
  };
  const loginTypeOf = async (user: AddedUser) => (await app.db.select().from(users).where(eq(users.id, user.id)))[0]!.loginType;

  it("refuses a start without the state cookie", async () => {
    const res = await new Browser(app).get(startPath(OIDC_CALLBACK, "convert-made-up"));
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual(MISSING);
  });

  it("refuses a start whose state is not a conversion's", async () => {
    const res = await new Browser(app).get(startPath(OIDC_CALLBACK, "attacker-chosen"));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(MISMATCH);
  });

  it("refuses a state the cookie was not issued for", async () => {
    const browser = new Browser(app);
    await convertState(app, browser, await member(), "oidc");
    const res = await browser.get(startPath(OIDC_CALLBACK, "convert-another"));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(MISMATCH);
  });

  it("refuses the other provider than the one asked for", async () => {
    const browser = new Browser(app);
    const state = await convertState(app, browser, await member(), "oidc");
    const res = await browser.get(startPath(GITHUB_CALLBACK, state));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(failed("password", "github"));
  });

  it("refuses a cookie this deployment did not sign", async () => {
    const browser = new Browser(app);
    const user = await member();
    const state = await convertState(app, browser, user, "oidc");
    const claims = JSON.parse(Buffer.from(browser.cookies.get(CONVERT_COOKIE)!.split(".")[1]!, "base64url").toString());
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(crypto.getRandomValues(new Uint8Array(32)));
    browser.cookies.set(CONVERT_COOKIE, foreign);
    const res = await browser.get(startPath(OIDC_CALLBACK, state));
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual({
      message: "Using an invalid jwt to authorize this action. Ensure there is only 1 coder deployment and try again.",
    });
  });

  it("refuses an expired state as a missing one (the browser has dropped it)", async () => {
    const browser = new Browser(app);
    const state = await convertState(app, browser, await member(), "oidc");
    const now = app.deps.now;
    app.deps.now = () => new Date(Date.now() + 5 * 60_000 + 2000);
    try {
      const res = await browser.get(startPath(OIDC_CALLBACK, state));
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual(MISSING);
    } finally {
      app.deps.now = now;
    }
  });

  it("refuses an identity whose email has no account, and creates none", async () => {
    const browser = new Browser(app);
    const user = await member();
    const state = await convertState(app, browser, user, "oidc");
    signingInAs({ email: "nobody-here@example.com" });
    const res = await browser.signIn(startPath(OIDC_CALLBACK, state));
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual({
      message:
        'The oidc account with the email "nobody-here@example.com" does not match the email of the account you are trying to convert. Contact your administrator to resolve this issue.',
    });
    expect(browser.cookies.has(CONVERT_COOKIE)).toBe(false);
    expect(await app.db.select().from(users).where(eq(users.email, "nobody-here@example.com"))).toEqual([]);
    expect(await loginTypeOf(user)).toBe("password");
  });

  it("refuses an identity that belongs to another account", async () => {
    const browser = new Browser(app);
    const user = await member();
    const other = await member();
    const state = await convertState(app, browser, user, "oidc");
    signingInAs(other);
    const res = await browser.signIn(startPath(OIDC_CALLBACK, state));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(failed("password", "oidc"));
    expect([await loginTypeOf(user), await loginTypeOf(other)]).toEqual(["password", "password"]);
  });

  it("refuses a conversion granted under a password that has changed since", async () => {
    const browser = new Browser(app);
    const user = await member();
    const state = await convertState(app, browser, user, "oidc");
    const changed = await app.request("/api/v2/users/me/password", {
      method: "PUT",
      token: user.token,
      json: { old_password: user.password, password: "Another-Secure-Passw0rd!" },
    });
    expect(changed.status).toBe(204);
    signingInAs(user);
    const res = await browser.signIn(startPath(OIDC_CALLBACK, state));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(failed("password", "oidc"));
    expect(await loginTypeOf(user)).toBe("password");
  });

  it("refuses the callback when the cookie is gone by then", async () => {
    const browser = new Browser(app);
    const user = await member();
    const state = await convertState(app, browser, user, "oidc");
    signingInAs(user);
    const start = await browser.get(startPath(OIDC_CALLBACK, state));
    expect(start.status).toBe(307);
    browser.cookies.delete(CONVERT_COOKIE);
    const back = await fetch(start.headers.get("location")!, { redirect: "manual" });
    const callback = new URL(back.headers.get("location")!);
    const res = await browser.get(callback.pathname + callback.search);
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual(MISSING);
    expect(await loginTypeOf(user)).toBe("password");
  });

  it("refuses a replay of a state that already converted the account", async () => {
    const browser = new Browser(app);
    const user = await member();
    const state = await convertState(app, browser, user, "oidc");
    const cookie = browser.cookies.get(CONVERT_COOKIE)!;
    const sub = `sub-${++n}`;
    signingInAs(user, sub);
    expect((await browser.signIn(startPath(OIDC_CALLBACK, state))).status).toBe(307);
    expect(await loginTypeOf(user)).toBe("oidc");

    const replay = new Browser(app);
    replay.cookies.set(CONVERT_COOKIE, cookie);
    signingInAs(user, sub);
    const res = await replay.signIn(startPath(OIDC_CALLBACK, state));
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(failed("oidc", "oidc"));
    expect(replay.cookies.has("coder_session_token")).toBe(false);
  });
});
