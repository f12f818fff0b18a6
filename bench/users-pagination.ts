// `npm run bench:users`: GET /users on 100k users in Postgres. Seeds a throwaway database on the server at
// TEST_DATABASE_URL (or DATABASE_URL), then, through the real app and its real queries, times page 1
// against a keyset page near the end and a free-text search, and prints the EXPLAIN ANALYZE plan of the
// statement each one sent. Bounded: 100k rows, 30 timed requests per case.
import pg from "pg";
import { createTestDatabase } from "../test/support/databases.ts";
import { startTestApp } from "../test/support/node-app.ts";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = 30;

const admin = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!admin) {
  console.error("Set TEST_DATABASE_URL (a Postgres server where a throwaway database may be created).");
  process.exit(1);
}
const database = await createTestDatabase("bench_users");
const app = await startTestApp({ databaseUrl: database.url });
const recorder = app.queries;
const call = (path: string, init: RequestInit = {}) => app.request(path, init);

const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  const first = await call("/api/v2/users/first", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@bench.local", username: "owner", password: "SomeSecurePassword!" }),
  });
  if (first.status !== 201) throw new Error(`first user: ${first.status}`);
  const login = await call("/api/v2/users/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@bench.local", password: "SomeSecurePassword!" }),
  });
  const { session_token: token } = (await login.json()) as { session_token: string };

  const t0 = performance.now();
  await client.query(
    `insert into users (email, username, name, status, login_type, last_seen_at)
     select 'person' || i || '@example.com', 'person-' || lpad(i::text, 6, '0'), 'Person ' || i,
            (array['active','dormant','suspended'])[1 + i % 3]::user_status, 'password',
            now() - (i || ' minutes')::interval
     from generate_series(1, $1::int) as i`,
    [USERS],
  );
  await client.query(
    `insert into organization_members (user_id, organization_id)
     select u.id, o.id from users u cross join organizations o where o.is_default and u.username like 'person-%'`,
  );
  await client.query("analyze");
  console.log(`seeded ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const nearEnd = await client.query<{ id: string }>("select id from users where not deleted order by lower(username) offset $1 limit 1", [
    USERS - 50,
  ]);
  const cases: [string, string][] = [
    ["first page", "/api/v2/users?limit=25"],
    ["keyset page near the end", `/api/v2/users?limit=25&after_id=${nearEnd.rows[0]!.id}`],
    ["free-text search", `/api/v2/users?limit=25&q=${encodeURIComponent("person-0999")}`],
    ["status + role filter", `/api/v2/users?limit=25&q=${encodeURIComponent("status:active role:owner")}`],
  ];

  const rows: string[] = [];
  for (const [name, path] of cases) {
    const times: number[] = [];
    let sent: typeof recorder.last;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const res = await call(path, { headers: { "Coder-Session-Token": token } });
      await res.arrayBuffer();
      times.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
      sent = recorder.last;
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(RUNS / 2)]!;
    rows.push(`| ${name} | ${p50.toFixed(2)} ms | ${times[Math.floor(RUNS * 0.9)]!.toFixed(2)} ms |`);
    const plan = await client.query(`explain (analyze, costs off, timing off, summary off) ${sent!.query}`, sent!.params as unknown[]);
    console.log(`\n## ${name}: ${path}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
  console.log(
    `\n| GET /users (${USERS} users, ${RUNS} runs, in-process, Postgres ${(await client.query("show server_version")).rows[0].server_version}) | p50 | p90 |\n|---|---|---|\n${rows.join("\n")}`,
  );
} finally {
  await client.end();
  await app.close();
  await database.drop();
}
