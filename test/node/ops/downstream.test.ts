// Downstream verification: examples/downstream accepts Gatehouse tokens by verifying them
// against Gatehouse's JWKS, fetched over loopback HTTP from a live Gatehouse, through a key rotation.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serve, type ServerType } from "@hono/node-server";
import { decodeProtectedHeader, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDownstream } from "../../../examples/downstream/app.ts";
import { startDownstream } from "../../../examples/downstream/node.ts";
import downstreamWorker from "../../../examples/downstream/worker.ts";
import { createApp } from "../../../src/app.ts";
import { TokenService } from "../../../src/auth/tokens.ts";
import { loadConfig } from "../../../src/config.ts";
import { buildNodeDeps } from "../../../src/node-deps.ts";
import { API, json, login, OWNER, startTestApp, type TestApp, withOwner } from "../../support/harness.ts";

/** Short enough for a test, long enough that "still cached" is not a race on a busy machine. */
const CACHE_MS = 2_000;

let gatehouse: TestApp;
let gatehouseServer: ServerType;
let gatehouseUrl: string;
let jwksFetches = 0;
let downstream: { server: ServerType; url: string };
let owner: { userId: string; token: string };
/** The key Gatehouse starts with; the rotation test rotates it out. */
let firstKey: JWK;

const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
  new Promise<{ server: ServerType; url: string }>((resolve) => {
    const server = serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
const close = (server: ServerType | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/** Gatehouse restarted with a new SIGNING_KEYS, as a deploy of the new secret does. */
async function useKeys(keys: JWK[]) {
  const config = loadConfig({ CODER_ACCESS_URL: gatehouseUrl, SIGNING_KEYS: JSON.stringify(keys) });
  gatehouse.deps.tokens = (await buildNodeDeps(config, gatehouse.db)).tokens;
}

const whoami = (token?: string, base = downstream.url) =>
  fetch(`${base}/api/whoami`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

beforeAll(async () => {
  // The access URL is every token's `iss`, so Gatehouse listens first and is configured with its own URL.
  const app = createApp();
  let ready: TestApp | undefined;
  const live = await listen((req) => {
    if (new URL(req.url).pathname === "/.well-known/jwks.json") jwksFetches++;
    return app.fetch(req, { deps: ready!.deps, clientIp: "127.0.0.1" });
  });
  gatehouseServer = live.server;
  gatehouseUrl = live.url;
  gatehouse = ready = await startTestApp({ env: { CODER_ACCESS_URL: gatehouseUrl } });
  firstKey = await TokenService.generateKey();
  await useKeys([firstKey]);
  const created = await withOwner(gatehouse);
  owner = { userId: created.userId, token: created.token };
  downstream = await startDownstream({ issuer: gatehouseUrl, cacheMaxAgeMs: CACHE_MS, cooldownMs: 0 }, 0);
});
afterAll(async () => {
  await close(downstream?.server);
  await close(gatehouseServer);
  await gatehouse?.close();
});

describe("the downstream example against a live Gatehouse", () => {
  it("accepts a Gatehouse session token and knows who it is for, fetching the JWKS once", async () => {
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) {
      const res = await whoami(owner.token);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ user_id: owner.userId, scopes: ["coder:all"] });
    }
    expect(jwksFetches - before).toBe(1);
  });

  it("refuses no token, a malformed token and a tampered one", async () => {
    expect((await whoami()).status).toBe(401);
    expect((await whoami("not-a-jwt")).status).toBe(401);
    const [h, p, s] = owner.token.split(".");
    const tampered = `${h}.${p}.${s!.startsWith("A") ? "B" : "A"}${s!.slice(1)}`;
    const res = await whoami(tampered);
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ detail: "The token is not valid here." });
  });

  it("refuses Gatehouse tokens meant for another audience (a tenant)", async () => {
    const elsewhere = createDownstream({ issuer: gatehouseUrl, audience: "acme" });
    const res = await elsewhere.request("/api/whoami", { headers: { Authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(401);
  });

  it("answers 503, not 401 or 200, when Gatehouse's keys cannot be fetched", async () => {
    const unreachable = createDownstream({ issuer: "http://127.0.0.1:1" });
    const res = await unreachable.request("/api/whoami", { headers: { Authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(503);
  });

  it("runs as a Worker too: the Workers entry verifies the same token", async () => {
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const res = await downstreamWorker.fetch(
      new Request("http://downstream.test/api/whoami", { headers: { Authorization: `Bearer ${owner.token}` } }),
      { GATEHOUSE_URL: gatehouseUrl },
      ctx,
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ user_id: owner.userId });
  });

  it("bundles for Workers (wrangler deploy --dry-run)", async () => {
    const out = mkdtempSync(join(tmpdir(), "downstream-"));
    try {
      await promisify(execFile)(
        "npx",
        ["wrangler", "deploy", "--dry-run", "--config", "examples/downstream/wrangler.toml", "--outdir", out],
        {
          env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        },
      );
      expect(readdirSync(out)).toContain("worker.js");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("key rotation (docs/deploying.md: Rotating signing keys)", () => {
  it("new key first: both keys' tokens verify downstream; old key removed: its tokens are refused once the cache refreshes", async () => {
    const oldToken = owner.token;
    const newKey = await TokenService.generateKey();

    // Step 1: the new key first, the old one kept. New tokens are signed with the new key.
    await useKeys([newKey, firstKey]);
    const newToken = await login(gatehouse, OWNER.email, OWNER.password);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKey.kid);
    expect(decodeProtectedHeader(oldToken).kid).toBe(firstKey.kid);
    // The new kid is unknown to the downstream's cached key set: it fetches the JWKS again, at once.
    const fetchesBefore = jwksFetches;
    expect((await whoami(newToken)).status).toBe(200);
    expect(jwksFetches - fetchesBefore).toBe(1);
    expect((await whoami(oldToken)).status).toBe(200);

    // Step 2: the old key removed. Gatehouse refuses its tokens at once...
    await useKeys([newKey]);
    expect((await gatehouse.request(`${API}/users/me`, { token: oldToken })).status).toBe(401);
    expect((await gatehouse.request(`${API}/users/me`, { token: newToken })).status).toBe(200);
    // ...the downstream while its cached key set is fresh (the window docs/deploying.md documents)...
    expect((await whoami(oldToken)).status).toBe(200);
    // ...and no longer once the cache has expired and the JWKS is fetched again.
    await new Promise((r) => setTimeout(r, CACHE_MS + 200));
    const refused = await whoami(oldToken);
    expect(refused.status).toBe(401);
    expect(await json(refused)).toMatchObject({ detail: "The token is not valid here." });
    expect((await whoami(newToken)).status).toBe(200);
  });
});
