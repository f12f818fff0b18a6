// The Gatehouse server as `npm run bench` runs it: src/server.ts's startup, with every statement counted and
// GET /__bench/queries answering the count (bench/metrics.ts). Kept out of src/ so the server `npm start`
// runs carries no bench code.
import { HASH_LANES, withLanes } from "../src/auth/hasher-node.ts";
import type { Hasher } from "../src/auth/hasher.ts";
import { QueryCounter } from "../src/db/index.ts";
import { runNodeServer } from "../src/node-server.ts";
import { withBenchMetrics } from "./metrics.ts";
import { OWNER } from "./seed.ts";

// npm run bench:login-loop takes argon2 out of the same server in two steps, so that what is left is what
// the hash does to the event loop: a password matches when it is the bench owner's.
const matches = (password: string) => password === OWNER.password;

/** BENCH_HASHER=none: no hashing at all, answered at once. */
const noHashing: Hasher = {
  hash: (password) => Promise.resolve(`unhashed:${password}`),
  verify: (_phc, password) => Promise.resolve(matches(password)),
};

/**
 * BENCH_HASHER=wait: no hashing, but each hash waits as long as an argon2 verification takes (BENCH_HASH_MS),
 * in the server's lanes: sign-ins queue and stay in flight as they do beside argon2, with no CPU spent.
 */
function waiting(ms: number): Hasher {
  const after = <T>(value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));
  return withLanes({ hash: (password) => after(`unhashed:${password}`), verify: (_phc, password) => after(matches(password)) }, HASH_LANES);
}

/** The hasher BENCH_HASHER names, or undefined for the server's own (argon2). */
function benchHasher(name: string | undefined): Hasher | undefined {
  if (name === undefined) return undefined;
  if (name === "none") return noHashing;
  if (name === "wait") return waiting(Number(process.env.BENCH_HASH_MS ?? 12));
  throw new Error(`unknown BENCH_HASHER: ${name}`);
}
const hasher = benchHasher(process.env.BENCH_HASHER);

const queries = new QueryCounter();
runNodeServer(process.env, {
  queries,
  wrapFetch: (fetch) => withBenchMetrics(fetch, queries),
  ...(hasher ? { hasher } : {}),
});
