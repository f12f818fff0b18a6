// Login CSRF: a page on another site submits a form to a route that needs no session, and the visitor's
// browser ends up signed into the attacker's account (or the attacker's owner account or password is set
// up). The routes that sign in or set a password refuse cross-site browser requests; the Coder CLI and Go
// SDK, which send neither Origin nor Sec-Fetch-Site, are unaffected.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, users } from "../../../src/db/schema.ts";
import { ACCESS_URL, addUser, API, json, OWNER, type TestApp, useTestApp } from "../../support/harness.ts";

const EVIL = "https://evil.test";
const REFUSED = { message: "Cross-site request refused.", detail: `A sign-in request from a browser must come from ${ACCESS_URL}.` };

/**
 * What `<form method=post enctype=text/plain>` on another site sends: one `name=value` line, where the
 * attacker picks the name so that the whole body is the JSON the route wants (no CORS preflight is needed
 * for text/plain). `fields` must end in a string field whose value swallows the `=`.
 */
function textPlainForm(fields: Record<string, string>): string {
  const json = JSON.stringify({ ...fields, pad: "" });
  const cut = json.lastIndexOf('""');
  return `${json.slice(0, cut + 1)}=${json.slice(cut + 1)}\r\n`;
}

/** The cross-site form's request as Chromium sends it. */
const crossSiteForm = (body: string, headers: Record<string, string> = { origin: EVIL }) => ({
  method: "POST",
  body,
  headers: {
    "content-type": "text/plain",
    "sec-fetch-site": "cross-site",
    "sec-fetch-mode": "navigate",
    "sec-fetch-dest": "document",
    ...headers,
  },
});

const keyCount = async (app: TestApp) => (await app.db.select({ id: apiKeys.id }).from(apiKeys)).length;

describe("login CSRF on POST /users/login", () => {
  const { app } = useTestApp({ owner: true });
  const attacker = { email: "mallory@example.com", password: "MalloryKnowsThis1!" };
  beforeAll(async () => {
    await addUser(app, { username: "mallory", ...attacker });
  });

  it("the forged text/plain body is one the route accepts from a client that is not a browser", async () => {
    // Without this the refusals below could come from the body parser rather than the CSRF guard.
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      body: textPlainForm(attacker),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(201);
  });

  it("attack: a cross-site text/plain form POST with the attacker's credentials is refused", async () => {
    const before = await keyCount(app);
    const res = await app.request(`${API}/users/login`, crossSiteForm(textPlainForm(attacker)));
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(REFUSED);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await keyCount(app)).toBe(before);
  });

  it.each([
    ["Sec-Fetch-Site cross-site without Origin", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site without Origin (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["Origin null (a sandboxed frame)", { origin: "null" }],
    ["a look-alike Origin", { origin: `${ACCESS_URL}.evil.test` }],
  ])("attack: a login POST with %s is refused", async (_name, headers) => {
    const before = await keyCount(app);
    const res = await app.request(`${API}/users/login`, { method: "POST", json: attacker, headers });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(REFUSED);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await keyCount(app)).toBe(before);
  });

  it("a CLI-style request (no Origin, no Sec-Fetch-*) still signs in with 201", async () => {
    const res = await app.request(`${API}/users/login`, { method: "POST", json: attacker, headers: { "user-agent": "Coder v2.20.0" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toMatch(/^coder_session_token=/);
  });

  it.each([
    ["Origin of this deployment and Sec-Fetch-Site same-origin", { origin: ACCESS_URL, "sec-fetch-site": "same-origin" }],
    ["Sec-Fetch-Site same-origin without Origin", { "sec-fetch-site": "same-origin" }],
  ])("a same-origin browser request (%s) signs in", async (_name, headers) => {
    const before = await keyCount(app);
    const res = await app.request(`${API}/users/login`, {
      method: "POST",
      json: attacker,
      headers: { ...headers, "sec-fetch-mode": "cors" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toMatch(/^coder_session_token=/);
    expect(await keyCount(app)).toBe(before + 1);
  });
});

describe("login CSRF on POST /users/first", () => {
  const { app } = useTestApp();

  it("attack: a cross-site form creating the first user (an owner the attacker knows the password of) is refused", async () => {
    const res = await app.request(`${API}/users/first`, crossSiteForm(textPlainForm(OWNER)));
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(REFUSED);
    expect(await app.db.select({ id: users.id }).from(users)).toEqual([]);
  });

  it("the same request from a CLI-style client creates the first user", async () => {
    const res = await app.request(`${API}/users/first`, {
      method: "POST",
      body: textPlainForm(OWNER),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(201);
    expect(await app.db.select({ email: users.email }).from(users)).toEqual([{ email: OWNER.email }]);
  });
});

describe("login CSRF on POST /users/otp/change-password", () => {
  const { app } = useTestApp({ owner: true });
  const passcode = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  const newPassword = "AttackerChosenPassword42!";
  let userId: string;
  beforeAll(async () => {
    userId = (await addUser(app, { username: "forgetful" })).id;
    // A passcode the user asked for (POST /users/otp/request delivers it out of band).
    await app.db
      .update(users)
      .set({ hashedOneTimePasscode: await app.deps.hasher.hash(passcode), oneTimePasscodeExpiresAt: new Date(Date.now() + 10 * 60_000) })
      .where(eq(users.id, userId));
  });

  const stored = async () =>
    (
      await app.db.select({ password: users.hashedPassword, passcode: users.hashedOneTimePasscode }).from(users).where(eq(users.id, userId))
    )[0]!;

  it("attack: a cross-site form POST changing the password is refused, the password and passcode stay", async () => {
    const before = await stored();
    const form = textPlainForm({ email: "forgetful@example.com", one_time_passcode: passcode, password: newPassword });
    const res = await app.request(`${API}/users/otp/change-password`, crossSiteForm(form));
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(REFUSED);
    expect(await stored()).toEqual(before);
  });

  it("the same change from a CLI-style client works (204)", async () => {
    const before = await stored();
    const res = await app.request(`${API}/users/otp/change-password`, {
      method: "POST",
      json: { email: "forgetful@example.com", one_time_passcode: passcode, password: newPassword },
    });
    expect(res.status).toBe(204);
    const after = await stored();
    expect(after.password).not.toBe(before.password);
    expect(after.passcode).toBeNull();
  });
});
