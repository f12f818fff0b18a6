// What a sign-in costs the server's event loop, beside argon2 and without it. `npm run bench` reports the
// event-loop CPU per sign-in with argon2 hashing on the machine's other threads, as production runs; on a
// small machine those hashes (19 MiB each) slow the event loop's own code down, and that figure mixes the two.
// Here the same server runs twice, built as `npm run bench` builds it, side by side in alternating rounds of
// sign-ins: once as is, once with BENCH_HASHER=none (bench/server.ts: no hashing at all). The second is the
// event loop's own work per sign-in; the ratio is what the hash beside it costs on this machine.
// Run: npm run bench:login-loop [-- --rounds 4 --seconds 3 --connections 16]
// Starts Postgres when TEST_DATABASE_URL is unset (as root), as `npm run bench` does.
import { parseArgs } from "node:util";
import { TokenService } from "../src/auth/tokens.ts";
import { openPostgres } from "../src/db/postgres.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { load } from "./load.ts";
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
  const variants = [
    { name: "beside argon2 (as production runs)", env: {} as Record<string, string> },
    { name: "without hashing (BENCH_HASHER=none)", env: { BENCH_HASHER: "none" } },
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
  // Round 0 warms both servers up and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      const before = await metrics(server.origin);
      const run = await load({
        origin: server.origin,
        connections: CONNECTIONS,
        seconds: SECONDS,
        requests: [{ method: "POST", path: "/api/v2/users/login", headers: { "content-type": "application/json" }, body }],
        expect: (status) => status === 201,
      });
      const after = await metrics(server.origin);
      if (run.errors > 0) throw new Error(`${server.name}: ${run.errors} sign-ins did not answer 201`);
      if (round === 0) continue;
      server.perLogin.push((after.mainThreadCpuMicros - before.mainThreadCpuMicros) / run.responses);
      server.rates.push(run.responses / run.seconds);
      log(
        `round ${round}: ${server.name}: ${server.perLogin.at(-1)!.toFixed(0)} µs event loop per sign-in, ${server.rates.at(-1)!.toFixed(0)}/s`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [beside, alone] = servers as [(typeof servers)[0], (typeof servers)[0]];
  console.log(`sign-ins, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s; server event-loop CPU per sign-in:`);
  for (const s of servers) {
    console.log(
      `  ${s.name.padEnd(38)} ${s.perLogin.map((x) => x.toFixed(0)).join(" / ")} µs (median ${median(s.perLogin).toFixed(0)}), ${median(s.rates).toFixed(0)} sign-ins/s`,
    );
  }
  console.log(`  beside argon2 / without: ${(median(beside.perLogin) / median(alone.perLogin)).toFixed(2)}x`);
} finally {
  await stopAll();
  await database.drop();
  await pg.stop();
}
