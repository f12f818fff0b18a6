// The baselines of `npm run bench` on Node: bare Hono routes on @hono/node-server, nothing else (no
// middleware, no validation, no serializer), so the ratio of a Gatehouse scenario to them is the cost of
// Gatehouse itself. Same runtime, same token, same key, same database and driver as the server under test:
//   GET /verify        verifies the token with jose and answers (the limit for refusing a token);
//   GET /verify-query  verifies it and runs the actor query of src/auth/actor.ts, the single-row
//                      primary-key lookup every authenticated request makes (the limit for a read).
// GET /__bench/queries counts statements exactly as the server under test does (bench/metrics.ts).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { importJWK, jwtVerify, type CryptoKey, type JWK } from "jose";
import { loadActor } from "../src/auth/actor.ts";
import { withBenchMetrics } from "./metrics.ts";
import { loadConfig } from "../src/config.ts";
import { QueryCounter } from "../src/db/index.ts";
import { openDatabase } from "../src/node-deps.ts";

const env = process.env;
const accessUrl = env.CODER_ACCESS_URL!;
const [signer] = JSON.parse(env.SIGNING_KEYS!) as JWK[];
const publicKey = (await importJWK({ kty: "OKP", crv: "Ed25519", x: signer!.x }, "EdDSA")) as CryptoKey;
const verifyOptions = { algorithms: ["EdDSA"], issuer: accessUrl, audience: accessUrl };

const queries = new QueryCounter();
// Opened exactly as the server opens it: DATABASE_URL, or PGlite under DATA_DIR.
const database = await openDatabase(loadConfig(env), queries);

const app = new Hono();
app.get("/verify", async (c) => {
  try {
    const { payload } = await jwtVerify(c.req.header("Coder-Session-Token") ?? "", publicKey, verifyOptions);
    return c.json({ sub: payload.sub });
  } catch {
    return c.json({ message: "invalid token" }, 401);
  }
});
app.get("/verify-query", async (c) => {
  let jti: string | undefined;
  try {
    jti = (await jwtVerify(c.req.header("Coder-Session-Token") ?? "", publicKey, verifyOptions)).payload.jti;
  } catch {
    return c.json({ message: "invalid token" }, 401);
  }
  const actor = jti ? await loadActor(database.db, jti) : undefined;
  if (!actor) return c.json({ message: "no such key" }, 401);
  const { hashedPassword: _h, hashedOneTimePasscode: _o, ...user } = actor.user;
  return c.json(user);
});

const server = serve({
  hostname: "127.0.0.1",
  port: Number(env.PORT),
  fetch: withBenchMetrics((req: Request) => app.fetch(req), queries),
});
const stop = () => server.close(() => void database.close().then(() => process.exit(0)));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
