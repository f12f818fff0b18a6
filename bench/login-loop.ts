// What a sign-in costs the server's event loop, beside argon2 and without it. `npm run bench` reports the
// event-loop CPU per sign-in with argon2 hashing on the machine's other threads, as production runs; that
// figure mixes the event loop's own work with what the hash does to it. Here the same server, built as
// `npm run bench` builds it, runs four times side by side, in alternating rounds of sign-ins, taking argon2
// out step by step:
//   1. as is (argon2 on libuv's pool, as production runs);
//   2. BENCH_HASHER=wait (bench/server.ts): each hash only waits as long as a verification took on this
//      machine, in the same lanes: the same queueing and requests in flight, without the hash's CPU;
//   3. BENCH_HASHER=none at the rate 1 reached in the same round: the event loop's own work per sign-in at
//      production's pace, one sign-in at a time;
//   4. BENCH_HASHER=none as fast as it answers: the same work in batches.
// Each server is first warmed up as `npm run bench` warms a scenario up (bench/load.ts warmUp), so V8 has
// compiled the path in all four.
// Run: npm run bench:login-loop [-- --rounds 4 --seconds 3 --connections 16]
// Starts Postgres when TEST_DATABASE_URL is unset (as root), as `npm run bench` does.
import { parseArgs } from "node:util";
import { TokenService } from "../src/auth/tokens.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { argon2Limit } from "./argon2.ts";
import { load, warmUp } from "./load.ts";
import { postgresServer } from "./postgres.ts";
import { metrics, startGatehouse } from "./node-target.ts";
import { freePort, stopAll } from "./processes.ts";
import { BENCH_LIMITS } from "./scenarios.ts";
import { OWNER, seed } from "./seed.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
for (const [name, v] of Object.entries({ ROUNDS, SECONDS, CONNECTIONS })) {
  if (!Number.isInteger(v) || v < 1 || v > 100) throw new Error(`bad --${name.toLowerCase()}: ${v}`);
}

const log = (msg: string) => console.error(`[login-loop] ${msg}`);
const pg = await postgresServer(log);
process.env.TEST_DATABASE_URL = pg.adminUrl;
const database = await createTestDatabase("loginloop");
try {
  const handle = await openPostgres(database.url);
  await seed(handle.db, 100);
  await handle.close();
  const signingKeys = JSON.stringify([await TokenService.generateKey()]);
  const { hashMs } = await argon2Limit();
  log(`argon2: ${hashMs.toFixed(2)} ms per verification with every core hashing`);
  const variants = [
    { name: "beside argon2 (as production runs)", env: {} as Record<string, string>, paced: false },
    {
      name: `waiting ${hashMs.toFixed(1)} ms per hash, no hashing`,
      env: { BENCH_HASHER: "wait", BENCH_HASH_MS: hashMs.toFixed(1) },
      paced: false,
    },
    { name: "no hashing, at the rate of the first", env: { BENCH_HASHER: "none" }, paced: true },
    { name: "no hashing, as fast as answered", env: { BENCH_HASHER: "none" }, paced: false },
  ];
  const servers = [];
  for (const variant of variants) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = { ...BENCH_LIMITS, ...variant.env, CODER_ACCESS_URL: origin, SIGNING_KEYS: signingKeys, DATABASE_URL: database.url };
    await startGatehouse({ name: variant.name, port, env });
    servers.push({ ...variant, origin, perLogin: [] as number[], rates: [] as number[] });
  }
  const body = JSON.stringify({ email: OWNER.email, password: OWNER.password });
  const signIns = (origin: string) => ({
    origin,
    connections: CONNECTIONS,
    requests: [{ method: "POST" as const, path: "/api/v2/users/login", headers: { "content-type": "application/json" }, body }],
    expect: (status: number) => status === 201,
  });
  for (const server of servers) log(`${server.name}: warmed up with ${await warmUp(signIns(server.origin), 1)} sign-ins`);
  const [beside] = servers as [(typeof servers)[0]];
  for (let round = 1; round <= ROUNDS; round++) {
    // The paced server runs after the one beside argon2, at the rate that one reached in this round.
    const order = round % 2 === 1 ? servers : [beside, ...servers.slice(1).reverse()];
    for (const server of order) {
      const before = await metrics(server.origin);
      const run = await load({ ...signIns(server.origin), seconds: SECONDS, rate: server.paced ? beside.rates.at(-1) : undefined });
      const after = await metrics(server.origin);
      if (run.errors > 0) throw new Error(`${server.name}: ${run.errors} sign-ins did not answer 201`);
      server.perLogin.push((after.mainThreadCpuMicros - before.mainThreadCpuMicros) / run.responses);
      server.rates.push(run.responses / run.seconds);
      log(
        `round ${round}: ${server.name}: ${server.perLogin.at(-1)!.toFixed(0)} µs event loop per sign-in, ${server.rates.at(-1)!.toFixed(0)}/s`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [, waiting, paced] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]];
  console.log(`sign-ins, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s; server event-loop CPU per sign-in:`);
  for (const s of servers) {
    console.log(
      `  ${s.name.padEnd(40)} ${s.perLogin.map((x) => x.toFixed(0)).join(" / ")} µs (median ${median(s.perLogin).toFixed(0)}), ${median(s.rates).toFixed(0)} sign-ins/s`,
    );
  }
  const ratio = (a: typeof beside, b: typeof beside) => (median(a.perLogin) / median(b.perLogin)).toFixed(2);
  console.log(`  beside argon2 / waiting: ${ratio(beside, waiting)}x; waiting / no hashing at the same rate: ${ratio(waiting, paced)}x`);
} finally {
  await stopAll();
  await database.drop();
  await pg.stop();
}
