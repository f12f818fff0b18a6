// The baselines of `npm run bench` on Node: bare Hono routes on @hono/node-server, nothing else (no
// middleware, no validation, no serializer, no cache of verified tokens), so the ratio of a Gatehouse
// scenario to them is the cost of Gatehouse itself. Same runtime, same token, same key, same database and
// driver as the server under test. The signature is checked at the hardware's price: node:crypto's
// one-shot Ed25519 verify (OpenSSL, synchronous), then the claims any verifier must check (exp, iss, aud).
//   GET /verify        verifies the token and answers (the limit for refusing a token);
//   GET /verify-headers the same, refusing with the headers and body of Gatehouse's 401 (bench/refusal-headers.ts);
//   GET /verify-query  verifies it and runs the actor query of src/auth/actor.ts, the single-row
//                      primary-key lookup every authenticated request makes (the limit for an
//                      authenticated read without a cache).
// GET /__bench/queries counts statements exactly as the server under test does (bench/metrics.ts).
import { createPublicKey, verify } from "node:crypto";
import { Hono } from "hono";
import type { JWK } from "jose";
import { loadActor } from "../src/auth/actor.ts";
import { loadConfig } from "../src/config.ts";
import { QueryCounter } from "../src/db/index.ts";
import { openDatabase } from "../src/node-deps.ts";
import { serveWithBenchMetrics } from "./metrics.ts";
import { refuseAsGatehouse } from "./refusal-headers.ts";

const env = process.env;
const accessUrl = env.CODER_ACCESS_URL!;
const [signer] = JSON.parse(env.SIGNING_KEYS!) as JWK[];
const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: signer!.x! }, format: "jwk" });

/** The claims of a compact EdDSA JWT whose signature and time and audience hold, or undefined. */
function verified(token: string): { sub?: string; jti?: string } | undefined {
  const dot = token.lastIndexOf(".");
  if (dot < 0) return undefined;
  const ok = verify(null, Buffer.from(token.slice(0, dot)), publicKey, Buffer.from(token.slice(dot + 1), "base64url"));
  if (!ok) return undefined;
  const claims = JSON.parse(Buffer.from(token.slice(token.indexOf(".") + 1, dot), "base64url").toString()) as {
    sub?: string;
    jti?: string;
    exp?: number;
    iss?: string;
    aud?: string | string[];
  };
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!(typeof claims.exp === "number" && claims.exp > Date.now() / 1000)) return undefined;
  if (claims.iss !== accessUrl || !audience.includes(accessUrl)) return undefined;
  return claims;
}

const queries = new QueryCounter();
// Opened exactly as the server opens it: DATABASE_URL, or PGlite under DATA_DIR.
const config = loadConfig(env);
const database = await openDatabase(config, queries);

const app = new Hono();
app.get("/verify", (c) => {
  const claims = verified(c.req.header("Coder-Session-Token") ?? "");
  return claims ? c.json({ sub: claims.sub }) : c.json({ message: "invalid token" }, 401);
});
app.get("/verify-headers", (c) => {
  const claims = verified(c.req.header("Coder-Session-Token") ?? "");
  return claims ? c.json({ sub: claims.sub }) : refuseAsGatehouse(c, config.buildVersion, config.rateLimits.apiPerMinute);
});
app.get("/verify-query", async (c) => {
  const jti = verified(c.req.header("Coder-Session-Token") ?? "")?.jti;
  if (!jti) return c.json({ message: "invalid token" }, 401);
  const actor = await loadActor(database.db, jti);
  if (!actor) return c.json({ message: "no such key" }, 401);
  const { hashedPassword: _h, ...user } = actor.user;
  return c.json(user);
});

serveWithBenchMetrics(
  (req: Request) => app.fetch(req),
  queries,
  () => database.close(),
);
