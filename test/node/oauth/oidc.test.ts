// Sign in with OpenID Connect, end to end against a real OIDC provider on loopback (oauth2-mock-server),
// following Coder's https://github.com/coder/coder/blob/main/coderd/userauth.go.
import { eq } from "drizzle-orm";
import { generateKeyPair, SignJWT } from "jose";
import { Events } from "oauth2-mock-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { userLinks, users } from "../../../src/db/schema.ts";
import { OIDC_CLIENT_SECRET, startOidcProvider, type OidcProvider } from "../../support/oidc-provider.ts";
import { addUser, startTestApp, withOwner, useTestApp } from "../../support/harness.ts";
import { body, Browser, signedInAs, signInThrough, OIDC_CALLBACK } from "./browser.ts";

let idp: OidcProvider;
beforeAll(async () => {
  idp = await startOidcProvider();
});
afterAll(() => idp.close());

function signingIn(sub: string, claims: Record<string, unknown> = {}, userInfo: Record<string, unknown> = {}) {
  idp.next = { idToken: { sub, email_verified: true, ...claims }, userInfo };
}

describe("OIDC sign-in", () => {
  const { app } = useTestApp({
    env: () => idp.env({ CODER_OIDC_SIGN_IN_TEXT: "Sign in with Acme SSO", CODER_OIDC_ICON_URL: "/icon/acme.svg" }),
  });

  it("reports itself in the auth methods", async () => {
    expect(await body(await app.request("/api/v2/users/authmethods"))).toEqual({
      password: { enabled: true },
      github: { enabled: false, default_provider_configured: false },
      oidc: { enabled: true, signInText: "Sign in with Acme SSO", iconUrl: "/icon/acme.svg" },
    });
  });

  it("creates the first user as an owner with no password, and stores the merged claims", async () => {
    signingIn(
      "first-sub",
      {
        email: "ada@example.com",
        preferred_username: "ada",
        name: " Ada Lovelace ",
        picture: "https://img.example/ada.png",
        groups: ["eng"],
      },
      { department: "R&D", name: "Ada L." },
    );
    const browser = new Browser(app);
    const done = await browser.signIn(`${OIDC_CALLBACK}?redirect=/templates`);
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/templates");
    expect(browser.cookies.has("oauth_nonce")).toBe(false);

    const user = await signedInAs(app, browser);
    expect(user).toMatchObject({
      username: "ada",
      email: "ada@example.com",
      // Userinfo claims win over the ID token's.
      name: "Ada L.",
      avatar_url: "https://img.example/ada.png",
      login_type: "oidc",
      status: "active",
      roles: [{ name: "owner" }],
    });
    const [row] = await app.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.hashedPassword).toBe("");
    const [link] = await app.db.select().from(userLinks).where(eq(userLinks.userId, user.id));
    expect(link).toMatchObject({ loginType: "oidc", linkedId: `${idp.issuer}||first-sub` });
    expect(link!.oauthRefreshToken).not.toBe("");
    expect(link!.oauthExpiry!.getTime()).toBeGreaterThan(Date.now());

    const claims = await app.request("/api/v2/users/oidc-claims", { token: browser.cookies.get("coder_session_token") });
    expect(claims.status).toBe(200);
    expect((await body(claims)).claims).toMatchObject({
      iss: idp.issuer,
      sub: "first-sub",
      aud: "gatehouse-oidc-client",
      email: "ada@example.com",
      groups: ["eng"],
      department: "R&D",
      name: "Ada L.",
    });
  });

  it("redirects to the provider with state, nonce and PKCE, and sets the flow cookies", async () => {
    const browser = new Browser(app);
    const res = await browser.get(OIDC_CALLBACK);
    expect(res.status).toBe(307);
    const to = new URL(res.headers.get("location")!);
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: "gatehouse-oidc-client",
      redirect_uri: "http://gatehouse.test/api/v2/users/oidc/callback",
      response_type: "code",
      scope: "openid profile email",
      state: browser.cookies.get("oauth_state"),
      nonce: browser.cookies.get("oauth_nonce"),
      code_challenge_method: "S256",
    });
    expect(browser.cookies.get("oauth_redirect")).toBe("/");
    expect(browser.cookies.has("oauth_pkce_verifier")).toBe(true);
  });

  it("links an existing OIDC user by email instead of creating one", async () => {
    const owner = await addUser(app, { username: "boss", email: "boss@example.com", roles: ["owner"], login: true });
    const created = await app.request("/api/v2/users", {
      method: "POST",
      token: owner.token,
      json: {
        email: "grace@example.com",
        username: "grace",
        login_type: "oidc",
        organization_ids: ["00000000-0000-0000-0000-000000000000"],
      },
    });
    expect(created.status).toBe(201);
    const grace = await body(created);
    expect(grace).toMatchObject({ login_type: "oidc", status: "dormant" });

    signingIn("grace-sub", { email: "Grace@Example.com", preferred_username: "ghopper" });
    // The stored address stays as the administrator wrote it: the provider's differs only by case.
    expect(await signInThrough(app, OIDC_CALLBACK)).toMatchObject({
      id: grace.id,
      username: "grace",
      status: "active",
      email: "grace@example.com",
    });
    const links = await app.db.select().from(userLinks).where(eq(userLinks.userId, grace.id));
    expect(links).toEqual([expect.objectContaining({ linkedId: `${idp.issuer}||grace-sub` })]);
  });

  it.each([
    ["a valid preferred_username", { preferred_username: "Linus-T", email: "linus@example.com" }, /^Linus-T$/],
    ["an email as username", { preferred_username: "kim.lee+dev@example.com", email: "kim@example.com" }, /^kimleedev$/],
    ["no username claim", { email: "no.name_claim@example.com" }, /^nonameclaim$/],
    ["nothing usable", { preferred_username: "@@@", email: "x@example.com" }, /^[a-z]+-[a-z]+\d$/],
  ])("derives the username from %s", async (_label, claims, expected) => {
    signingIn(`sub-${Math.random()}`, claims);
    expect((await signInThrough(app, OIDC_CALLBACK)).username).toMatch(expected);
  });

  it("takes the email from a username that is an address when the email claim is absent", async () => {
    signingIn("mail-in-username", { preferred_username: "solo@example.com" });
    expect(await signInThrough(app, OIDC_CALLBACK)).toMatchObject({ email: "solo@example.com", username: "solo" });
  });

  it("refuses an unverified email", async () => {
    signingIn("unverified", { email: "unverified@example.com", email_verified: false });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({
      message: 'Verify the "unverified@example.com" email address on your OIDC provider to authenticate!',
    });
  });

  it("needs an email", async () => {
    signingIn("no-email", { preferred_username: "noemail" });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual({ message: "No email found in OIDC payload!" });
  });

  it("refuses another login type with the same email", async () => {
    await addUser(app, { username: "pw-user", email: "pw@example.com" });
    signingIn("pw-sub", { email: "pw@example.com" });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect((await body(res)).message).toBe("Incorrect login type");
  });

  describe("ID token verification", () => {
    let browser: Browser;
    beforeEach(() => {
      browser = new Browser(app);
      signingIn("verify-sub", { email: "verify@example.com" });
    });

    it("checks the nonce against the browser's cookie", async () => {
      const start = await browser.get(OIDC_CALLBACK);
      browser.cookies.set("oauth_nonce", "some-other-nonce");
      const back = new URL((await fetch(start.headers.get("location")!, { redirect: "manual" })).headers.get("location")!);
      const res = await browser.get(back.pathname + back.search);
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ message: "Failed to verify OIDC token.", detail: expect.stringContaining("nonce") });
    });

    it("checks the audience", async () => {
      idp.next.idToken.aud = "someone-else";
      const res = await browser.signIn(OIDC_CALLBACK);
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ message: "Failed to verify OIDC token.", detail: expect.stringContaining("aud") });
    });

    it("checks the issuer", async () => {
      idp.next.idToken.iss = "https://impostor.example";
      const res = await browser.signIn(OIDC_CALLBACK);
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ message: "Failed to verify OIDC token.", detail: expect.stringContaining("iss") });
    });

    it("checks the signature against the provider's JWKS", async () => {
      // A signature by a key the provider never published, under the provider's own key id.
      const kid = idp.server.issuer.keys.toJSON()[0]!.kid as string;
      const forger = await generateKeyPair("RS256");
      const forged = await new SignJWT({ sub: "forged" }).setProtectedHeader({ alg: "RS256", kid }).sign(forger.privateKey);
      idp.server.service.once(Events.BeforeResponse, (response) => {
        const payload = response.body as Record<string, unknown>;
        const [header, claims] = (payload.id_token as string).split(".");
        // The real header and claims (nonce included) keep every other check passing.
        payload.id_token = `${header}.${claims}.${forged.split(".")[2]}`;
      });
      const res = await browser.signIn(OIDC_CALLBACK);
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual({ message: "Failed to verify OIDC token.", detail: "JWT signature verification failed" });
    });

    it("needs an ID token in the token response", async () => {
      idp.server.service.once(Events.BeforeResponse, (response) => {
        delete (response.body as Record<string, unknown>).id_token;
      });
      const res = await browser.signIn(OIDC_CALLBACK);
      expect(res.status).toBe(400);
      expect(await body(res)).toEqual({
        message: "id_token not found in response payload. Ensure your OIDC callback is configured correctly!",
      });
    });

    it("reports a failed code exchange without the client secret", async () => {
      idp.server.service.once(Events.BeforeResponse, (response) => {
        response.body = { error: "invalid_grant", error_description: "code expired" };
        response.statusCode = 400;
      });
      const res = await browser.signIn(OIDC_CALLBACK);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ message: "Failed exchanging Oauth code.", detail: "invalid_grant: code expired" });
      expect(text).not.toContain(OIDC_CLIENT_SECRET);
    });

    it("passes on the provider's error and checks the state", async () => {
      const refused = await browser.get(`${OIDC_CALLBACK}?error=invalid_scope&error_description=unknown+scope`);
      expect(refused.status).toBe(400);
      expect(await body(refused)).toEqual({ message: "Encountered error in oidc process: invalid_scope", detail: "unknown scope" });
      expect((await browser.get(`${OIDC_CALLBACK}?code=c`)).status).toBe(400);
      expect((await browser.get(`${OIDC_CALLBACK}?code=c&state=s`)).status).toBe(401);
      await browser.get(OIDC_CALLBACK);
      const mismatch = await browser.get(`${OIDC_CALLBACK}?code=c&state=s`);
      expect(mismatch.status).toBe(401);
      expect(await body(mismatch)).toEqual({ message: "State mismatched." });
    });
  });
});

describe("OIDC email domains and signups", () => {
  const { app } = useTestApp({
    env: () => idp.env({ CODER_OIDC_EMAIL_DOMAIN: "example.com,@corp.example", CODER_OIDC_ALLOW_SIGNUPS: "false" }),
  });

  it("refuses an email outside the allowed domains", async () => {
    signingIn("outsider", { email: "eve@elsewhere.example" });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({ message: 'Your email "eve@elsewhere.example" is not in domains ["example.com" "@corp.example"]!' });
  });

  it("lets the first user sign up, then refuses new users", async () => {
    signingIn("corp-first", { email: "first@CORP.example" });
    const first = new Browser(app);
    expect((await first.signIn(OIDC_CALLBACK)).status).toBe(307);
    expect(await signedInAs(app, first)).toMatchObject({ roles: [{ name: "owner" }], login_type: "oidc" });

    signingIn("corp-second", { email: "second@example.com" });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({
      message: "Signups are disabled",
      detail: "Please contact your Coder administrator to request access.",
    });
  });
});

describe("OIDC options and absence", () => {
  it("can accept unverified emails and skip userinfo", async () => {
    const app = await startTestApp({ env: idp.env({ CODER_OIDC_IGNORE_EMAIL_VERIFIED: "true", CODER_OIDC_IGNORE_USERINFO: "true" }) });
    try {
      signingIn("lenient", { email: "lenient@example.com", email_verified: false }, { extra: "from-userinfo" });
      const browser = new Browser(app);
      expect((await browser.signIn(OIDC_CALLBACK)).status).toBe(307);
      const claims = (await body(await app.request("/api/v2/users/oidc-claims", { token: browser.cookies.get("coder_session_token") })))
        .claims;
      expect(claims).toMatchObject({ email: "lenient@example.com" });
      expect(claims.extra).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it("is refused, and OIDC users cannot be created, when not configured", async () => {
    const app = await startTestApp();
    try {
      const res = await app.request(OIDC_CALLBACK);
      expect(res.status).toBe(428);
      expect(await body(res)).toEqual({ message: "The oauth2 method requested is not configured!" });
      const { token } = await withOwner(app);
      const create = await app.request("/api/v2/users", {
        method: "POST",
        token,
        json: { email: "o@example.com", username: "o", login_type: "oidc", organization_ids: ["00000000-0000-0000-0000-000000000000"] },
      });
      expect(create.status).toBe(400);
      expect(await body(create)).toEqual({ message: "You must configure OIDC before creating OIDC users." });
    } finally {
      await app.close();
    }
  });
});
