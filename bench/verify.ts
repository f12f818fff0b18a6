// Micro-benchmark of one Ed25519 session token's verification, in one process, alternating rounds:
// jose's jwtVerify (WebCrypto: what TokenService did before), TokenService.verify with no cache
// (node:crypto plus jose's checks), node:crypto's bare verify (the hardware limit), and a cache hit.
// Forged tokens are measured too: they never enter the cache, so they pay the full check every time.
// Run: npm run bench:verify [-- --iterations 3000 --rounds 5]
import { verify as nodeVerify, createPublicKey } from "node:crypto";
import { parseArgs } from "node:util";
import { jwtVerify } from "jose";
import { TokenService } from "../src/auth/tokens.ts";
import { cpuPerCall } from "./micro.ts";

const { values } = parseArgs({ options: { iterations: { type: "string", default: "3000" }, rounds: { type: "string", default: "5" } } });
const ITERATIONS = Number(values.iterations);
const ROUNDS = Number(values.rounds);
const ISS = "http://bench.test";

const key = await TokenService.generateKey();
const cached = await TokenService.create([key], ISS);
const uncached = await TokenService.create([key], ISS, ISS, { cacheBytes: 0 });
const token = await cached.sign({
  userId: crypto.randomUUID(),
  keyId: "k".repeat(10),
  scopes: ["coder:all"],
  issuedAt: new Date(),
  expiresAt: new Date(Date.now() + 86_400_000),
});
const [h, p, s] = token.split(".") as [string, string, string];
const sig = Buffer.from(s, "base64url");
sig[10] = sig[10]! ^ 1;
const forged = `${h}.${p}.${sig.toString("base64url")}`;
const webKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: key.x }, "Ed25519", false, ["verify"]);
const nodeKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key.x! }, format: "jwk" });
const signingInput = Buffer.from(`${h}.${p}`);
const signature = Buffer.from(s, "base64url");
const joseOptions = { algorithms: ["EdDSA"], issuer: ISS, audience: ISS, requiredClaims: ["sub", "jti", "exp", "iat"] };

const cases: Record<string, () => Promise<unknown> | unknown> = {
  "jose jwtVerify (before)": () => jwtVerify(token, webKey, joseOptions),
  "TokenService, no cache (after, miss)": () => uncached.verify(token),
  "node:crypto bare verify (limit)": () => nodeVerify(null, signingInput, nodeKey, signature),
  "TokenService cache hit (after, hit)": () => cached.verify(token),
  "forged: jose jwtVerify (before)": () => jwtVerify(forged, webKey, joseOptions).catch(() => undefined),
  "forged: TokenService (after)": () => cached.verify(forged),
};

// Sanity: every path answers as expected before it is timed.
if (!(await uncached.verify(token)).ok || (await cached.verify(forged)).ok || !nodeVerify(null, signingInput, nodeKey, signature)) {
  throw new Error("bench tokens do not verify as expected");
}

const samples = await cpuPerCall(cases, { rounds: ROUNDS, iterations: ITERATIONS });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const results = [...samples].map(([name, xs]) => ({ name, us: median(xs) }));
const jose = results[0]!.us;
const limit = results[2]!.us;
console.log(`Ed25519 token verify, CPU µs per call (median of ${ROUNDS} rounds × ${ITERATIONS}), Node ${process.version}`);
for (const { name, us } of results) {
  console.log(
    `${name.padEnd(40)} ${us.toFixed(2).padStart(8)} µs   ${(jose / us).toFixed(2).padStart(7)}x jose   ${(limit / us).toFixed(2).padStart(7)}x limit`,
  );
}
