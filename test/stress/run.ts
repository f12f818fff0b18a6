// npm run test:stress: a real server process on loopback, a mixed workload for STRESS_SECONDS
// (default 60) from STRESS_CONCURRENCY (default 16) clients, then a report: requests, answers by status,
// latencies per operation, server memory before and after, and every unexpected answer. Each operation
// declares the statuses it may get (a login may be rate limited, a forged token must be refused); anything
// else, a timeout or a server error line fails the run. Rate limits stay on, at their defaults, so the
// limiter is under load too. Bounded: a deadline, a request cap and a per-request timeout.
//
// Database: a throwaway database on TEST_DATABASE_URL's Postgres when set, otherwise the server's embedded
// PGlite in a temporary DATA_DIR.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../support/databases.ts";
import { startServer, stopServer, type ServerProcess } from "../support/server-process.ts";

const SECONDS = Number(process.env.STRESS_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.STRESS_CONCURRENCY ?? 16);
const MAX_REQUESTS = 2_000_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MEMBERS = 20;
const PASSWORD = "StressPassword!12345";

interface Sample {
  status: number | "timeout" | "network";
  ms: number;
}

/** Resident and peak memory of a process, from /proc (Linux). */
function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMiB: Math.round(kib("VmRSS") / 102.4) / 10, peakMiB: Math.round(kib("VmHWM") / 102.4) / 10 };
  } catch {
    return undefined;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

async function main() {
  let database: TestDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-stress-"));
  if (process.env.TEST_DATABASE_URL) database = await createTestDatabase("stress");

  let server: ServerProcess | undefined;
  let exited = false;
  try {
    server = await startServer({
      dataDir,
      startTimeoutMs: 30_000,
      env: {
        // Rate limits on: the limiter is under load too. The general API limit (512 a minute per user and
        // endpoint) would answer most of this load with 429: its code runs, at a ceiling the load never
        // reaches (its behaviour has its own tests). The login limits stay at their defaults.
        DISABLE_RATE_LIMITS: "false",
        API_RATE_LIMIT: "100000000",
        ...(database ? { DATABASE_URL: database.url } : {}),
      },
    });
    void server.exited.then(() => (exited = true));
    const base = server.url;
    const serverLog = server.lines;

    // ---- seed: an owner and members, each with a session ----
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${base}/api/v2${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { "Coder-Session-Token": token } : {}) },
        body: JSON.stringify(body),
      });
    const first = await post("/users/first", { email: "owner@example.com", username: "owner", password: PASSWORD });
    if (first.status !== 201) throw new Error(`first user: ${first.status} ${await first.text()}`);
    const { organization_id } = (await first.json()) as { organization_id: string };
    const loginAs = async (email: string) => {
      const res = await post("/users/login", { email, password: PASSWORD });
      if (res.status !== 201) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { session_token: string }).session_token;
    };
    const ownerToken = await loginAs("owner@example.com");
    const members: { username: string; email: string; token: string }[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const username = `member-${i}`;
      const email = `${username}@example.com`;
      const res = await post("/users", { email, username, password: PASSWORD, organization_ids: [organization_id] }, ownerToken);
      if (res.status !== 201) throw new Error(`create ${username}: ${res.status}`);
      members.push({ username, email, token: await loginAs(email) });
    }
    const pid = server.pid;
    const memoryBefore = memoryOf(pid);

    // ---- the workload ----
    type Op = { name: string; weight: number; expect: number[]; run: (m: (typeof members)[number], n: number) => Promise<Response> };
    const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/v2${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(token ? { "Coder-Session-Token": token } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    const ops: Op[] = [
      { name: "GET /users/me", weight: 20, expect: [200], run: (m) => call("GET", "/users/me", m.token) },
      { name: "GET /users (owner, page)", weight: 8, expect: [200], run: () => call("GET", "/users?limit=10&q=member", ownerToken) },
      { name: "GET /users/{user}", weight: 8, expect: [200], run: (m) => call("GET", `/users/${m.username}`, ownerToken) },
      {
        name: "PUT /users/me/profile",
        weight: 6,
        expect: [200],
        run: (m, n) => call("PUT", "/users/me/profile", m.token, { username: m.username, name: `Member ${n % 1000}` }),
      },
      {
        name: "PUT /users/me/appearance",
        weight: 4,
        expect: [200],
        run: (m) => call("PUT", "/users/me/appearance", m.token, { theme_preference: "dark", terminal_font: "fira-code" }),
      },
      { name: "GET /users/me/keys/tokens", weight: 6, expect: [200], run: (m) => call("GET", "/users/me/keys/tokens", m.token) },
      {
        name: "POST+DELETE token",
        weight: 6,
        expect: [204],
        run: async (m, n) => {
          const created = await call("POST", "/users/me/keys/tokens", m.token, { token_name: `stress-${n}` });
          if (created.status !== 201) return created;
          const { key } = (await created.json()) as { key: string };
          const id = JSON.parse(Buffer.from(key.split(".")[1]!, "base64url").toString()).jti as string;
          return call("DELETE", `/users/me/keys/${id}`, m.token);
        },
      },
      // One client IP, so the login limit (60 a minute per route) is reached: 429 is an expected answer.
      {
        name: "POST /users/login",
        weight: 3,
        expect: [201, 429],
        run: (m) => call("POST", "/users/login", undefined, { email: m.email, password: PASSWORD }),
      },
      {
        name: "POST /users/login (wrong)",
        weight: 2,
        expect: [401, 429],
        run: (m) => call("POST", "/users/login", undefined, { email: m.email, password: "Wrong!123456789" }),
      },
      {
        name: "login+logout",
        weight: 2,
        expect: [200, 429],
        run: async (m) => {
          const res = await call("POST", "/users/login", undefined, { email: m.email, password: PASSWORD });
          if (res.status !== 201) return res;
          const { session_token } = (await res.json()) as { session_token: string };
          return call("POST", "/users/logout", session_token);
        },
      },
      { name: "GET /audit", weight: 4, expect: [200], run: () => call("GET", "/audit?limit=20&q=action:login", ownerToken) },
      { name: "GET /users/me (forged)", weight: 4, expect: [401], run: (m) => call("GET", "/users/me", `${m.token.slice(0, -4)}AAAA`) },
      { name: "GET /users/{user} (unknown)", weight: 2, expect: [404], run: () => call("GET", "/users/nobody-here", ownerToken) },
      {
        name: "GET /healthz",
        weight: 2,
        expect: [200],
        run: () => fetch(`${base}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
      },
    ];
    const totalWeight = ops.reduce((s, o) => s + o.weight, 0);
    const samples = new Map<string, Sample[]>(ops.map((o) => [o.name, []]));
    const unexpected: string[] = [];
    let sent = 0;
    const deadline = Date.now() + SECONDS * 1000;

    const worker = async (w: number) => {
      let n = w * 1_000_000;
      while (Date.now() < deadline && sent < MAX_REQUESTS) {
        sent++;
        n++;
        let pick = (n * 2654435761) % totalWeight;
        const op = ops.find((o) => (pick -= o.weight) < 0)!;
        const member = members[n % members.length]!;
        const started = performance.now();
        let status: Sample["status"];
        let body = "";
        try {
          const res = await op.run(member, n);
          status = res.status;
          body = await res.text();
        } catch (err) {
          status = (err as Error).name === "TimeoutError" ? "timeout" : "network";
          body = String(err);
        }
        samples.get(op.name)!.push({ status, ms: performance.now() - started });
        if (typeof status !== "number" || !op.expect.includes(status)) {
          if (unexpected.length < 20) unexpected.push(`${op.name}: ${status} ${body.slice(0, 200)}`);
          else unexpected.push("…");
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    const elapsedS = (Date.now() - started) / 1000;
    // Let deferred writes (audit rows, last-used stamps) finish before measuring again.
    await new Promise((r) => setTimeout(r, 1000));
    const memoryAfter = memoryOf(pid);

    // ---- report ----
    const byStatus: Record<string, number> = {};
    const table: Record<string, unknown>[] = [];
    let total = 0;
    for (const op of ops) {
      const list = samples.get(op.name)!;
      total += list.length;
      const statuses: Record<string, number> = {};
      for (const s of list) {
        statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
        byStatus[String(s.status)] = (byStatus[String(s.status)] ?? 0) + 1;
      }
      const ms = list.map((s) => s.ms).sort((a, b) => a - b);
      table.push({
        op: op.name,
        requests: list.length,
        statuses: JSON.stringify(statuses),
        p50_ms: percentile(ms, 50),
        p95_ms: percentile(ms, 95),
        p99_ms: percentile(ms, 99),
      });
    }
    const errorLines = serverLog.filter((l) => l.includes('"level":"error"'));
    const unexpectedCount = [...samples.entries()].reduce(
      (s, [name, list]) =>
        s + list.filter((x) => typeof x.status !== "number" || !ops.find((o) => o.name === name)!.expect.includes(x.status)).length,
      0,
    );
    console.log(
      `\ngatehouse test:stress — ${elapsedS.toFixed(1)} s, ${CONCURRENCY} clients, database: ${database ? "postgres" : "embedded PGlite"}`,
    );
    console.table(table);
    console.log(
      JSON.stringify(
        {
          requests: total,
          requests_per_second: Math.round(total / elapsedS),
          by_status: byStatus,
          unexpected: unexpectedCount,
          server_error_log_lines: errorLines.length,
          server_memory_before: memoryBefore,
          server_memory_after: memoryAfter,
        },
        null,
        2,
      ),
    );
    if (unexpected.length > 0) console.log(`unexpected answers (first 20):\n${unexpected.slice(0, 21).join("\n")}`);
    if (errorLines.length > 0) console.log(`server error lines (first 5):\n${errorLines.slice(0, 5).join("\n")}`);
    if (exited) console.log("the server process exited during the run");
    const ok = unexpectedCount === 0 && errorLines.length === 0 && !exited && total > 0;
    console.log(ok ? "test:stress: ok" : "test:stress: FAILED");
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (server) {
      // The server drains open connections on SIGTERM; a keep-alive socket left idle must not hold the run.
      const killer = setTimeout(() => server?.child.kill("SIGKILL"), 10_000);
      await stopServer(server);
      clearTimeout(killer);
    }
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
