// Sign in with OpenID Connect on the real worker: workerd's outbound fetch reaches the loopback provider
// the global setup started (discovery, authorize, token, JWKS, userinfo), and the database through Neon.
import { describe, expect, inject, it } from "vitest";
import { workerClient } from "./client.ts";

const issuer = inject("oidcIssuer");
const call = workerClient("oidc", {
  CODER_OIDC_ISSUER_URL: issuer,
  CODER_OIDC_CLIENT_ID: "gatehouse-oidc-client",
  CODER_OIDC_CLIENT_SECRET: "oidc-client-secret-never-shown",
  CODER_OIDC_SIGN_IN_TEXT: "Edge SSO",
});
const CALLBACK = "/api/v2/users/oidc/callback";

/** Cookies as a browser keeps them between the legs of the flow. */
class Jar {
  readonly cookies = new Map<string, string>();
  absorb(res: Response) {
    // workerd's Headers has getSetCookie; the bundled types lag behind.
    for (const line of (res.headers as Headers & { getSetCookie(): string[] }).getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** Tells the provider who signs in next (its test-only route; the hooks live in Node). */
async function nextIdentity(idToken: Record<string, unknown>, userInfo: Record<string, unknown> = {}) {
  const res = await fetch(`${issuer}/test/identity`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ idToken, userInfo }),
  });
  expect(res.status).toBe(204);
}

async function signIn(jar: Jar, start: string): Promise<Response> {
  const begin = await call(start, { headers: { cookie: jar.header } });
  jar.absorb(begin);
  expect(begin.status).toBe(307);
  const provider = await fetch(begin.headers.get("location")!, { redirect: "manual" });
  expect(provider.status).toBe(302);
  const back = new URL(provider.headers.get("location")!);
  const done = await call(back.pathname + back.search, { headers: { cookie: jar.header } });
  jar.absorb(done);
  return done;
}

describe("OIDC sign-in on workers", () => {
  it("reports OIDC in the auth methods", async () => {
    const res = await call("/api/v2/users/authmethods");
    expect(await res.json()).toMatchObject({ oidc: { enabled: true, signInText: "Edge SSO", iconUrl: "" } });
  });

  it("creates the first user through OIDC, opens a session and keeps the merged claims", async () => {
    await nextIdentity(
      { sub: "edge-sub-1", email: "edge.first@example.com", email_verified: true, preferred_username: "edge_first" },
      { team: "edge" },
    );
    const jar = new Jar();
    const done = await signIn(jar, `${CALLBACK}?redirect=/after-login`);
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/after-login");
    const token = jar.cookies.get("coder_session_token");
    expect(token).toBeTruthy();

    const me = await call("/api/v2/users/me", { token });
    expect(me.status).toBe(200);
    // "edge_first" is not a valid username; the email's local part, stripped, is.
    expect(await me.json()).toMatchObject({
      username: "edgefirst",
      email: "edge.first@example.com",
      login_type: "oidc",
      status: "active",
      roles: [{ name: "owner" }],
    });

    const claims = await call("/api/v2/users/oidc-claims", { token });
    expect(claims.status).toBe(200);
    expect(((await claims.json()) as { claims: Record<string, unknown> }).claims).toMatchObject({
      sub: "edge-sub-1",
      iss: issuer,
      team: "edge",
    });
  });

  it("refuses an unverified email and a mismatched state", async () => {
    await nextIdentity({ sub: "edge-sub-2", email: "edge.unverified@example.com", email_verified: false });
    const refused = await signIn(new Jar(), CALLBACK);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      message: 'Verify the "edge.unverified@example.com" email address on your OIDC provider to authenticate!',
    });

    const jar = new Jar();
    jar.absorb(await call(CALLBACK));
    const mismatch = await call(`${CALLBACK}?code=x&state=not-it`, { headers: { cookie: jar.header } });
    expect(mismatch.status).toBe(401);
    expect(await mismatch.json()).toEqual({ message: "State mismatched." });
  });

  it("attack: another subject with the same verified email is refused, and a planted redirect cookie stays on site", async () => {
    await nextIdentity({ sub: "edge-victim", email: "edge.victim@example.com", email_verified: true });
    const victim = new Jar();
    expect((await signIn(victim, CALLBACK)).status).toBe(307);

    await nextIdentity({ sub: "edge-attacker", email: "Edge.Victim@example.com", email_verified: true });
    const refused = await signIn(new Jar(), CALLBACK);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      message: 'The account with the email "Edge.Victim@example.com" is linked to a different OIDC identity.',
      detail: "Sign in with the identity linked to that account, or ask an administrator for help.",
    });

    // The victim still signs in as themselves, under the email they had.
    await nextIdentity({ sub: "edge-victim", email: "edge.victim@example.com", email_verified: true });
    const again = new Jar();
    const begin = await call(CALLBACK, { headers: { cookie: again.header } });
    again.absorb(begin);
    // A cookie tossed in after the flow started, from a sibling subdomain.
    again.cookies.set("oauth_redirect", encodeURIComponent("/.//evil.test"));
    const provider = await fetch(begin.headers.get("location")!, { redirect: "manual" });
    const back = new URL(provider.headers.get("location")!);
    const done = await call(back.pathname + back.search, { headers: { cookie: again.header } });
    expect(done.status).toBe(307);
    expect(done.headers.get("location")).toBe("/");
    again.absorb(done);
    const me = await call("/api/v2/users/me", { token: again.cookies.get("coder_session_token") });
    expect(await me.json()).toMatchObject({ email: "edge.victim@example.com" });
  });
});
