// Tenant isolation: two instances side by side, each with its own database, its own keys
// and its own `aud`, built the way the Node server builds them (buildNodeDeps from SIGNING_KEYS, TENANT_ID).
// A token from one tenant is refused by the other before any database work, and no user data crosses.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { loadConfig } from "../../../src/config.ts";
import { buildNodeDeps } from "../../../src/node-deps.ts";
import { API, json, SIGNED_OUT, startTestApp, type TestApp, withOwner } from "../../support/harness.ts";

const ACCESS_URL = "https://auth.example.com";

interface Tenant {
  id: string;
  app: TestApp;
  keys: string;
  owner: { userId: string; organizationId: string; token: string };
}

/** A tenant's instance: its own in-memory database, key set and TENANT_ID. */
async function startTenant(id: string, keys: string, accessUrl = ACCESS_URL): Promise<Tenant> {
  const env = { CODER_ACCESS_URL: accessUrl, TENANT_ID: id, SIGNING_KEYS: keys };
  const app = await startTestApp({ env });
  // The production wiring: keys from SIGNING_KEYS, `aud` from TENANT_ID (node-deps.ts).
  app.deps.tokens = (await buildNodeDeps(loadConfig(env), app.db)).tokens;
  return { id, app, keys, owner: await withOwner(app) };
}

const newKeys = async () => JSON.stringify([await TokenService.generateKey()]);

let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  [acme, globex] = await Promise.all([startTenant("acme", await newKeys()), startTenant("globex", await newKeys())]);
});
afterAll(async () => {
  await Promise.all([acme?.app.close(), globex?.app.close()]);
});

async function queriesFor(tenant: Tenant, fn: () => Promise<unknown>): Promise<number> {
  tenant.app.queries.count = 0;
  await fn();
  return tenant.app.queries.count;
}

describe("tokens name their tenant", () => {
  it("carries iss = CODER_ACCESS_URL and aud = TENANT_ID, signed by the tenant's own key", async () => {
    for (const t of [acme, globex]) {
      expect(decodeJwt(t.owner.token)).toMatchObject({ iss: ACCESS_URL, aud: t.id, sub: t.owner.userId });
      const kid = decodeProtectedHeader(t.owner.token).kid;
      expect(t.app.deps.tokens.jwks().keys.map((k) => k.kid)).toEqual([kid]);
    }
    // Two key sets, nothing shared: neither JWKS lists the other's key.
    const acmeKids = acme.app.deps.tokens.jwks().keys.map((k) => k.kid);
    const globexKids = globex.app.deps.tokens.jwks().keys.map((k) => k.kid);
    expect(acmeKids.some((k) => globexKids.includes(k))).toBe(false);
  });

  it("falls back to aud = CODER_ACCESS_URL without TENANT_ID", async () => {
    const config = loadConfig({ CODER_ACCESS_URL: `${ACCESS_URL}/` });
    expect(config.tokenAudience).toBe(ACCESS_URL);
    expect(loadConfig({ CODER_ACCESS_URL: ACCESS_URL, TENANT_ID: "acme" }).tokenAudience).toBe("acme");
  });

  it("holds for the test harness too: startTestApp with TENANT_ID signs aud = TENANT_ID", async () => {
    const app = await startTestApp({ env: { TENANT_ID: "harness-tenant" } });
    try {
      const { token } = await withOwner(app);
      expect(decodeJwt(token).aud).toBe("harness-tenant");
      expect((await app.request(`${API}/users/me`, { token })).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("refuses a TENANT_ID with spaces at start-up", () => {
    expect(() => loadConfig({ TENANT_ID: "acme corp" })).toThrow(/TENANT_ID: must be 1-128 printable ASCII/);
  });
});

describe("a token from tenant A at tenant B", () => {
  it("is refused by B with 401 and zero database queries", async () => {
    let res: Response | undefined;
    const queries = await queriesFor(globex, async () => {
      res = await globex.app.request(`${API}/users/me`, { token: acme.owner.token });
    });
    expect(res!.status).toBe(401);
    expect(await json(res!)).toEqual({ message: SIGNED_OUT, detail: "API key is invalid." });
    expect(queries).toBe(0);
    // Still good at home.
    expect((await acme.app.request(`${API}/users/me`, { token: acme.owner.token })).status).toBe(200);
  });

  it("is refused on every protected route, before the route runs", async () => {
    const paths = [
      `/users/${acme.owner.userId}`,
      "/users",
      "/users/me/keys/tokens",
      `/users/${acme.owner.userId}/roles`,
      "/users/me/gitsshkey",
    ];
    const queries = await queriesFor(globex, async () => {
      for (const path of paths) expect((await globex.app.request(`${API}${path}`, { token: acme.owner.token })).status).toBe(401);
    });
    expect(queries).toBe(0);
  });

  it("is refused by aud alone when both tenants (wrongly) share one key and one access URL", async () => {
    // A misconfiguration the design must survive: same SIGNING_KEYS and CODER_ACCESS_URL, different TENANT_ID.
    const shared = await startTenant("initech", acme.keys);
    try {
      expect(decodeProtectedHeader(shared.owner.token).kid).toBe(decodeProtectedHeader(acme.owner.token).kid);
      const queries = await queriesFor(shared, async () => {
        const res = await shared.app.request(`${API}/users/me`, { token: acme.owner.token });
        expect(res.status).toBe(401);
        expect(await json(res)).toEqual({ message: SIGNED_OUT, detail: "API key is invalid." });
      });
      expect(queries).toBe(0);
      const back = await queriesFor(acme, async () => {
        expect((await acme.app.request(`${API}/users/me`, { token: shared.owner.token })).status).toBe(401);
      });
      expect(back).toBe(0);
    } finally {
      await shared.app.close();
    }
  });
});

describe("user data never crosses", () => {
  it("gives each tenant its own users, even under identical names", async () => {
    // Both owners were created with the same email and username (OWNER in test/support/node-app.ts, re-exported by harness.ts).
    const [a, b] = await Promise.all([
      acme.app.request(`${API}/users/me`, { token: acme.owner.token }).then((r) => json<{ id: string; email: string }>(r)),
      globex.app.request(`${API}/users/me`, { token: globex.owner.token }).then((r) => json<{ id: string; email: string }>(r)),
    ]);
    expect(a.email).toBe(b.email);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toBe(acme.owner.userId);
    expect(b.id).toBe(globex.owner.userId);
  });

  it("does not find tenant A's user or organization through tenant B", async () => {
    const user = await globex.app.request(`${API}/users/${acme.owner.userId}`, { token: globex.owner.token });
    expect(user.status).toBe(404);
    const list = await json<{ users: { id: string }[]; count: number }>(
      await globex.app.request(`${API}/users`, { token: globex.owner.token }),
    );
    expect(list.users.map((u) => u.id)).toEqual([globex.owner.userId]);
    expect(acme.owner.organizationId).not.toBe(globex.owner.organizationId);
  });

  it("refuses a token B signed for A's key id and user: the key row exists only in A", async () => {
    // Passes B's cryptography (B signed it, for B's audience) but names A's user and A's key: B's database
    // has neither, so it is refused as an unknown key, never resolved to anything in A.
    const { sub, jti, iat, exp } = decodeJwt(acme.owner.token) as { sub: string; jti: string; iat: number; exp: number };
    const forged = await globex.app.deps.tokens.sign({
      userId: sub,
      keyId: jti,
      scopes: ["coder:all"],
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
    });
    const res = await globex.app.request(`${API}/users/me`, { token: forged });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ message: SIGNED_OUT, detail: "API key is invalid." });
  });
});
