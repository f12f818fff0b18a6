// The baselines of `npm run bench -- --worker`, inside workerd (bench/workerd.ts, built from the same
// wrangler.toml as the worker): bare Hono routes with the worker's own database handling (src/db/neon.ts: statements over HTTP,
// one HTTP handle per isolate, a Pool only for transactions, closed with waitUntil), so a Gatehouse scenario's
// ratio to them is the cost of Gatehouse itself.
//   GET /verify        verifies the token with jose;
//   GET /verify-headers the same, refusing with the headers and body of Gatehouse's 401 (bench/refusal-headers.ts);
//   GET /verify-query  verifies it and runs the actor query (src/auth/actor.ts);
//   GET /argon2?n=     times n argon2 verifications with the worker's WASM hasher (the login limit).
import { Hono } from "hono";
import { importJWK, jwtVerify, type CryptoKey, type JWK } from "jose";
import { loadActor } from "../src/auth/actor.ts";
import { hasher } from "../src/auth/hasher-wasm.ts";
import type { Db } from "../src/db/index.ts";
import { openNeonHttp, requestHandle } from "../src/db/neon.ts";
import { refuseAsGatehouse } from "./refusal-headers.ts";

interface Env {
  DATABASE_URL: string;
  NEON_WS_PROXY: string;
  NEON_HTTP_PROXY: string;
  SIGNING_KEYS: string;
  CODER_ACCESS_URL: string;
}

// An imported public key is pure data: kept for the isolate's life, as the worker keeps its TokenService.
let key: Promise<CryptoKey> | undefined;
const publicKey = (env: Env) =>
  (key ??= importJWK({ kty: "OKP", crv: "Ed25519", x: (JSON.parse(env.SIGNING_KEYS) as JWK[])[0]!.x }, "EdDSA") as Promise<CryptoKey>);

async function verified(env: Env, token: string) {
  try {
    const options = { algorithms: ["EdDSA"], issuer: env.CODER_ACCESS_URL, audience: env.CODER_ACCESS_URL };
    return (await jwtVerify(token, await publicKey(env), options)).payload;
  } catch {
    return undefined;
  }
}

// The HTTP database handle is kept for the isolate's life, as the worker keeps it (src/worker.ts).
let http: Db | undefined;
const openHandle = (env: Env) => {
  const endpoints = { wsProxy: env.NEON_WS_PROXY, httpProxy: env.NEON_HTTP_PROXY };
  return requestHandle((http ??= openNeonHttp(env.DATABASE_URL, endpoints)), env.DATABASE_URL, endpoints);
};

const app = new Hono<{ Bindings: Env }>();

app.get("/verify", async (c) => {
  const payload = await verified(c.env, c.req.header("Coder-Session-Token") ?? "");
  return payload ? c.json({ sub: payload.sub }) : c.json({ message: "invalid token" }, 401);
});

app.get("/verify-headers", async (c) => {
  const payload = await verified(c.env, c.req.header("Coder-Session-Token") ?? "");
  return payload ? c.json({ sub: payload.sub }) : refuseAsGatehouse(c, "bench", 512);
});

app.get("/verify-query", async (c) => {
  const payload = await verified(c.env, c.req.header("Coder-Session-Token") ?? "");
  if (!payload?.jti) return c.json({ message: "invalid token" }, 401);
  const neon = openHandle(c.env);
  try {
    const actor = await loadActor(neon.db, payload.jti);
    if (!actor) return c.json({ message: "no such key" }, 401);
    const { hashedPassword: _h, ...user } = actor.user;
    return c.json(user);
  } finally {
    c.executionCtx.waitUntil(neon.close());
  }
});

const PASSWORD = "Bench-Argon2-Passw0rd!";
let phc: Promise<string> | undefined;

app.get("/argon2", async (c) => {
  const n = Math.min(50, Math.max(1, Number(c.req.query("n") ?? 10)));
  const hash = await (phc ??= hasher.hash(PASSWORD));
  await hasher.verify(hash, PASSWORD); // warm-up: instantiates the WASM module
  // workerd's clock stands still during computation and moves at I/O: time across an awaited timer.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const t0 = Date.now();
  for (let i = 0; i < n; i++) if (!(await hasher.verify(hash, PASSWORD))) return c.json({ message: "verify failed" }, 500);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return c.json({ hashMs: (Date.now() - t0) / n, n });
});

export default app;
