// Account takeover through email linking: an OIDC or GitHub identity that is not linked to an account must
// never sign in as it merely because an email matches, unless the address is verified, matches exactly up
// to ASCII case, and the account is not linked to another identity. Runs on the Postgres server at
// TEST_DATABASE_URL when set (its UTF-8 lower() folds `İ` and the Kelvin sign), else on PGlite.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, userLinks, users } from "../../../src/db/schema.ts";
import { addUser, type TestApp, useTestApp } from "../../support/harness.ts";
import { body, Browser, GITHUB_CALLBACK, OIDC_CALLBACK, signedInAs, signInThrough } from "./browser.ts";
import { account } from "./fake-github.ts";
import { useProviders } from "./providers.ts";

const { idp, github } = useProviders();

/** The describe block's app, on a database of its own on the Postgres at TEST_DATABASE_URL when set, else on PGlite. */
const useAppWith = (label: string, env: () => Record<string, string>) =>
  useTestApp({ env, database: process.env.TEST_DATABASE_URL ? label : undefined }).app;

/** Who signs in at the provider next: ID token claims (over `sub`) and userinfo claims. */
function nextOidc(sub: string, idToken: Record<string, unknown>, userInfo: Record<string, unknown> = {}) {
  idp.next = { idToken: { sub, ...idToken }, userInfo };
}

/** The account as stored, its link for `loginType`, and how many sessions it has. */
async function state(app: TestApp, userId: string) {
  const [user] = await app.db.select().from(users).where(eq(users.id, userId));
  const links = await app.db
    .select({ loginType: userLinks.loginType, linkedId: userLinks.linkedId })
    .from(userLinks)
    .where(eq(userLinks.userId, userId));
  const keys = await app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, userId));
  return { email: user!.email, links, keys: keys.length };
}

const LINKED_ELSEWHERE = (email: string, provider: string) => ({
  message: `The account with the email ${JSON.stringify(email)} is linked to a different ${provider} identity.`,
  detail: "Sign in with the identity linked to that account, or ask an administrator for help.",
});

describe("OIDC email linking (email_verified honoured)", () => {
  const app = useAppWith("takeover_oidc", () => idp.env());
  /** admin@bigcorp.example, signed in through OIDC as `victim-sub`: the owner. */
  let admin: string;
  beforeAll(async () => {
    nextOidc("victim-sub", { email: "admin@bigcorp.example", email_verified: true, preferred_username: "admin" });
    admin = (await signInThrough(app, OIDC_CALLBACK)).id;
  });

  it("attack: a verified email of an account linked to another subject is refused with 403", async () => {
    const before = await state(app, admin);
    nextOidc("attacker-sub", { email: "Admin@BigCorp.example", email_verified: true });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(LINKED_ELSEWHERE("Admin@BigCorp.example", "OIDC"));
    expect(res.headers.get("set-cookie") ?? "").not.toContain("coder_session_token=");
    expect(await state(app, admin)).toEqual(before);
    expect(before.links).toEqual([{ loginType: "oidc", linkedId: `${idp.issuer}||victim-sub` }]);
  });

  it("attack: an omitted email_verified does not link to an existing unlinked account", async () => {
    const invited = await addUser(app, { username: "invited", email: "invited@bigcorp.example", loginType: "oidc", status: "dormant" });
    nextOidc("unverified-sub", { email: "invited@bigcorp.example" });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({
      message: 'Your identity provider has not verified the email "invited@bigcorp.example", which belongs to an existing account.',
      detail: "Verify the address with your identity provider, or ask an administrator for help.",
    });
    expect(await state(app, invited.id)).toEqual({ email: "invited@bigcorp.example", links: [], keys: 0 });
  });

  it("still signs up a new user whose provider sends no email_verified", async () => {
    nextOidc("entra-style-sub", { email: "newcomer@bigcorp.example" });
    expect(await signInThrough(app, OIDC_CALLBACK)).toMatchObject({ email: "newcomer@bigcorp.example", login_type: "oidc" });
  });

  it("attack: a userinfo email does not override the verified ID token email", async () => {
    const invited = await addUser(app, { username: "cfo", email: "cfo@bigcorp.example", loginType: "oidc", status: "dormant" });
    nextOidc("override-sub", { email: "mallory@evil.example", email_verified: true }, { email: "cfo@bigcorp.example" });
    const browser = new Browser(app);
    expect((await browser.signIn(OIDC_CALLBACK)).status).toBe(307);
    // The sign-in is the ID token's address: a new account, not the CFO's.
    const me = await signedInAs(app, browser);
    expect(me).toMatchObject({ email: "mallory@evil.example" });
    expect(me.id).not.toBe(invited.id);
    expect(await state(app, invited.id)).toEqual({ email: "cfo@bigcorp.example", links: [], keys: 0 });
    // The claims endpoint still shows the merged claims, userinfo over ID token, as in Coder.
    const claims = await app.request("/api/v2/users/oidc-claims", { token: browser.cookies.get("coder_session_token") });
    expect((await body(claims)).claims.email).toBe("cfo@bigcorp.example");
  });

  it.each([
    ["a dotted capital I in the domain", "admin@bİgcorp.example", () => admin],
    ["a Kelvin sign for K", "\u212Aate@bigcorp.example", undefined],
  ])("attack: a verified address with %s is no match for the account", async (_label, email, victimOf) => {
    const victim = victimOf?.() ?? (await addUser(app, { username: "kate", email: "kate@bigcorp.example", loginType: "oidc" })).id;
    const before = await state(app, victim);
    nextOidc(`unicode-${email}`, { email, email_verified: true });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    // Not linked; a new account is refused because the database's unique index on lower(email) folds it.
    expect(res.status).toBe(409);
    expect(await body(res)).toEqual({
      message: "User already exists.",
      detail: "Another account has this email address, or one that differs from it only by letter case.",
    });
    expect(await state(app, victim)).toEqual(before);
  });

  it("attack: a look-alike address from the linked provider account never rewrites the stored email", async () => {
    nextOidc("victim-sub", { email: "admin@bİgcorp.example", email_verified: true });
    expect(await signInThrough(app, OIDC_CALLBACK)).toMatchObject({ id: admin, email: "admin@bigcorp.example" });

    // A real change of address is still mirrored, as in Coder.
    nextOidc("victim-sub", { email: "admin@newcorp.example", email_verified: true });
    const again = new Browser(app);
    expect((await again.signIn(OIDC_CALLBACK)).status).toBe(307);
    expect(await signedInAs(app, again)).toMatchObject({ id: admin, email: "admin@newcorp.example" });
  });
});

describe("OIDC email linking with CODER_OIDC_IGNORE_EMAIL_VERIFIED", () => {
  const app = useAppWith("takeover_lenient", () => idp.env({ CODER_OIDC_IGNORE_EMAIL_VERIFIED: "true" }));
  let owner: string;
  beforeAll(async () => {
    nextOidc("owner-sub", { email: "owner@bigcorp.example", email_verified: true });
    owner = (await signInThrough(app, OIDC_CALLBACK)).id;
  });

  it("attack: an unverified email never takes over an account linked to another subject", async () => {
    const before = await state(app, owner);
    nextOidc("lenient-attacker", { email: "owner@bigcorp.example", email_verified: false });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(LINKED_ELSEWHERE("owner@bigcorp.example", "OIDC"));
    expect(await state(app, owner)).toEqual(before);
  });

  it("links an unverified email to an account with no link yet, and fills in an empty one", async () => {
    const invited = await addUser(app, { username: "invitee", email: "invitee@bigcorp.example", loginType: "oidc", status: "dormant" });
    nextOidc("invitee-sub", { email: "invitee@bigcorp.example", email_verified: false });
    expect(await signInThrough(app, OIDC_CALLBACK)).toMatchObject({ id: invited.id, status: "active" });

    // A link row without a subject, as an import from Coder can leave one.
    const legacy = await addUser(app, { username: "legacy", email: "legacy@bigcorp.example", loginType: "oidc" });
    await app.db.insert(userLinks).values({ userId: legacy.id, loginType: "oidc", linkedId: "" });
    nextOidc("legacy-sub", { email: "legacy@bigcorp.example" });
    const second = new Browser(app);
    expect((await second.signIn(OIDC_CALLBACK)).status).toBe(307);
    expect(await signedInAs(app, second)).toMatchObject({ id: legacy.id });
    expect((await state(app, legacy.id)).links).toEqual([{ loginType: "oidc", linkedId: `${idp.issuer}||legacy-sub` }]);
  });
});

describe("OIDC email domain allowlist", () => {
  const app = useAppWith("takeover_domain", () => idp.env({ CODER_OIDC_EMAIL_DOMAIN: "kelvin.example" }));

  it("attack: a Kelvin sign in the domain does not pass for an allowed domain's K", async () => {
    // U+212A lowercases to "k" in JavaScript and in Go's EqualFold, but names another domain.
    nextOidc("kelvin-sign", { email: "eve@\u212Aelvin.example", email_verified: true });
    const res = await new Browser(app).signIn(OIDC_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual({ message: 'Your email "eve@\u212Aelvin.example" is not in domains ["kelvin.example"]!' });

    nextOidc("kelvin-ascii", { email: "eve@KELVIN.example", email_verified: true });
    expect((await new Browser(app).signIn(OIDC_CALLBACK)).status).toBe(307);
  });
});

describe("GitHub email linking", () => {
  const app = useAppWith("takeover_github", () => github.env({ CODER_OAUTH2_GITHUB_ALLOW_SIGNUPS: "true" }));

  it("attack: a verified primary email of an account linked to another GitHub user is refused with 403", async () => {
    const victimAccount = account({ login: "gh-victim", emails: [{ email: "gh-admin@bigcorp.example", primary: true, verified: true }] });
    github.signIn(victimAccount);
    const victim = (await signInThrough(app, GITHUB_CALLBACK)).id;
    const before = await state(app, victim);

    github.signIn(account({ login: "gh-attacker", emails: [{ email: "GH-Admin@bigcorp.example", primary: true, verified: true }] }));
    const res = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(res.status).toBe(403);
    expect(await body(res)).toEqual(LINKED_ELSEWHERE("GH-Admin@bigcorp.example", "GitHub"));
    expect(await state(app, victim)).toEqual(before);
    expect(before.links).toEqual([{ loginType: "github", linkedId: String(victimAccount.id) }]);

    github.signIn(account({ login: "gh-unicode", emails: [{ email: "gh-admİn@bigcorp.example", primary: true, verified: true }] }));
    const unicode = await new Browser(app).signIn(GITHUB_CALLBACK);
    expect(unicode.status).toBe(409);
    expect(await state(app, victim)).toEqual(before);
  });

  it("links a verified primary email to an account with no link yet", async () => {
    const invited = await addUser(app, {
      username: "gh-invited",
      email: "gh-invited@bigcorp.example",
      loginType: "github",
      status: "dormant",
    });
    github.signIn(account({ login: "gh-invited", emails: [{ email: "gh-invited@bigcorp.example", primary: true, verified: true }] }));
    expect(await signInThrough(app, GITHUB_CALLBACK)).toMatchObject({ id: invited.id, status: "active" });
  });
});
