// The Gatehouse server as `npm run bench` runs it: src/server.ts's startup, with every statement counted and
// GET /__bench/queries answering the count (bench/metrics.ts). Kept out of src/ so the server `npm start`
// runs carries no bench code.
import type { Hasher } from "../src/auth/hasher.ts";
import { QueryCounter } from "../src/db/index.ts";
import { runNodeServer } from "../src/node-server.ts";
import { withBenchMetrics } from "./metrics.ts";
import { OWNER } from "./seed.ts";

/**
 * BENCH_HASHER=none (npm run bench:login-loop): no hashing at all, a password matches when it is the bench
 * owner's. The same server, so the difference is what argon2 running beside the event loop does to it.
 */
const noHashing: Hasher = {
  hash: (password) => Promise.resolve(`unhashed:${password}`),
  verify: (_phc, password) => Promise.resolve(password === OWNER.password),
};

const queries = new QueryCounter();
runNodeServer(process.env, {
  queries,
  wrapFetch: (fetch) => withBenchMetrics(fetch, queries),
  ...(process.env.BENCH_HASHER === "none" ? { hasher: noHashing } : {}),
});
