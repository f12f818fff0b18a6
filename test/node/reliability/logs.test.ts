// No secrets in logs: every line written while a full flow runs (request logs on, failed
// sign-ins, password changes, a reset by one-time passcode, tokens, SSH keys, rate limiting, a CSRF
// refusal, then statements failing in Postgres with their parameters in the error, and on a real server
// the connections dropping too, so errors are logged) is captured, and none holds a password, a token, a
// password hash, a passcode or a private key. Runs on a throwaway database of TEST_DATABASE_URL's server
// when set, through a proxy that can drop connections; otherwise on in-process PGlite.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { gitSshKeys, users } from "../../../src/db/schema.ts";
import { buildNodeDeps } from "../../../src/node-deps.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { API, type Hook, json, send, startHook, startTestApp, type TestApp } from "../../support/harness.ts";
import { startFaultProxy, type FaultProxy } from "../../support/fault-proxy.ts";

let database: TestDatabase | undefined;
let proxy: FaultProxy | undefined;
let hook: Hook;
let app: TestApp;
const lines: string[] = [];
/** Every secret the flow handles; none may appear in a captured line. */
const secrets = new Set<string>();

beforeAll(async () => {
  let databaseUrl: string | undefined;
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDatabase("logs");
    proxy = await startFaultProxy(database.url);
    const url = new URL(proxy.url);
    url.searchParams.set("connect_timeout", "1");
    url.searchParams.set("query_timeout", "1500");
    databaseUrl = url.toString();
  }
  hook = await startHook();
  const signingKey = await TokenService.generateKey();
  secrets.add(signingKey.d!);
  app = await startTestApp({
    ...(databaseUrl ? { databaseUrl } : {}),
    env: {
      LOG_REQUESTS: "true",
      NOTIFICATIONS_WEBHOOK_URL: hook.url,
      DISABLE_RATE_LIMITS: "false",
      LOGIN_RATE_LIMIT: "8",
      SIGNING_KEYS: JSON.stringify([signingKey]),
    },
  });
  // The production dependencies' deferred-work logger and token service, not the test harness's.
  const production = await buildNodeDeps(app.deps.config, app.db);
  app.deps.tokens = production.tokens;
  const harness = app.deps.defer;
  app.deps.defer = (task) => {
    // Started once, logged by production, awaited by settle().
    const started = Promise.resolve().then(() => task(app.db));
    production.defer(() => started);
    harness(() => started.catch(() => undefined));
  };

  const capture = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === "string" ? a : String(a))).join(" "));
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) vi.spyOn(console, level).mockImplementation(capture);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await app?.close();
  await hook?.close();
  await proxy?.close();
  await database?.drop();
});

async function tokenOf(res: Response, field = "session_token"): Promise<string> {
  const token = (await json<Record<string, string>>(res))[field]!;
  secrets.add(token);
  secrets.add(token.split(".")[2]!);
  return token;
}

describe("a full flow with request logging on", () => {
  it("logs nothing secret", { timeout: 60_000 }, async () => {
    const ownerPassword = "OwnerLogPassword!123";
    const memberPassword = "MemberLogPassword!456";
    const newPassword = "MemberNewPassword!789";
    const resetPassword = "MemberResetPassword!012";
    for (const p of [ownerPassword, memberPassword, newPassword, resetPassword, "WrongGuess!345678"]) secrets.add(p);

    const first = await send(app, "POST", "/users/first", undefined, {
      email: "owner@example.com",
      username: "owner",
      password: ownerPassword,
    });
    expect(first.status).toBe(201);
    const { organization_id } = await json<{ organization_id: string }>(first);
    const owner = await tokenOf(
      await send(app, "POST", "/users/login", undefined, { email: "owner@example.com", password: ownerPassword }),
    );
    expect((await send(app, "POST", "/users/login", undefined, { email: "owner@example.com", password: "WrongGuess!345678" })).status).toBe(
      401,
    );
    // Token sources that end up in URLs and cookies.
    expect((await app.request(`${API}/users/me?coder_session_token=${owner}`)).status).toBe(200);
    expect((await app.request(`${API}/users/me?access_token=${owner}`)).status).toBe(200);
    expect((await app.request(`${API}/users/me`, { headers: { cookie: `coder_session_token=${owner}` } })).status).toBe(200);
    expect((await app.request(`${API}/users/me`, { headers: { authorization: `Bearer ${owner}` } })).status).toBe(200);

    const created = await send(app, "POST", "/users", owner, {
      email: "member@example.com",
      username: "member",
      password: memberPassword,
      organization_ids: [organization_id],
    });
    expect(created.status).toBe(201);
    const member = await tokenOf(
      await send(app, "POST", "/users/login", undefined, { email: "member@example.com", password: memberPassword }),
    );
    expect(
      (await send(app, "PUT", "/users/me/password", member, { old_password: "WrongGuess!345678", password: newPassword })).status,
    ).toBe(400);
    expect((await send(app, "PUT", "/users/me/password", member, { old_password: memberPassword, password: newPassword })).status).toBe(
      204,
    );

    expect((await send(app, "POST", "/users/otp/request", undefined, { email: "member@example.com" })).status).toBe(204);
    await app.settle();
    const passcode = hook.received.at(-1)!.json.passcode as string;
    secrets.add(passcode);
    const reset = await send(app, "POST", "/users/otp/change-password", undefined, {
      email: "member@example.com",
      password: resetPassword,
      one_time_passcode: passcode,
    });
    expect(reset.status).toBe(204);

    await tokenOf(await send(app, "POST", "/users/me/keys/tokens", owner, { token_name: "logged" }), "key");
    await tokenOf(await send(app, "POST", "/users/me/keys", owner), "key");
    expect((await send(app, "PUT", "/users/me/gitsshkey", owner)).status).toBe(200);
    expect((await send(app, "GET", "/users/me/gitsshkey", owner)).status).toBe(200);
    expect((await send(app, "POST", "/users/validate-password", owner, { password: ownerPassword })).status).toBe(200);

    // Refusals: a forged token, a CSRF attempt (a flood of guesses into the rate limit comes last).
    expect((await send(app, "GET", "/users/me", `${owner.slice(0, -3)}AAA`)).status).toBe(401);
    expect(
      (
        await app.request(`${API}/users/logout`, {
          method: "POST",
          headers: { cookie: `coder_session_token=${owner}`, origin: "http://evil.test" },
        })
      ).status,
    ).toBe(403);

    // Statements fail inside Postgres, with bound parameters (password hashes, key ids, audit diffs) that a
    // careless log line would print: the tables they write are renamed away for a moment.
    await app.settle();
    await app.db.execute(sql`alter table api_keys rename to api_keys_away`);
    await app.db.execute(sql`alter table audit_logs rename to audit_logs_away`);
    try {
      expect((await send(app, "POST", "/users/login", undefined, { email: "owner@example.com", password: ownerPassword })).status).toBe(
        500,
      );
      expect(
        (
          await send(app, "POST", "/users/otp/change-password", undefined, {
            email: "member@example.com",
            password: "AnotherReset!3456",
            one_time_passcode: passcode,
          })
        ).status,
      ).toBe(400);
      await app.settle();
    } finally {
      await app.db.execute(sql`alter table api_keys_away rename to api_keys`);
      await app.db.execute(sql`alter table audit_logs_away rename to audit_logs`);
    }
    secrets.add("AnotherReset!3456");
    // On a real server, the connections drop too: errors with causes, still nothing secret.
    if (proxy) {
      await proxy.setMode("reset");
      expect(
        (await send(app, "POST", "/users/login", undefined, { email: "owner@example.com", password: ownerPassword })).status,
      ).toBeGreaterThanOrEqual(500);
      expect((await send(app, "PUT", "/users/me/profile", owner, { username: "owner", name: "x" })).status).toBeGreaterThanOrEqual(500);
      expect((await send(app, "POST", "/users/me/keys/tokens", owner, { token_name: "while-down" })).status).toBeGreaterThanOrEqual(500);
      await app.settle();
      await proxy.setMode("pass");
      for (let i = 0; i < 20; i++) if ((await send(app, "GET", "/users/me", owner)).status === 200) break;
    }
    await app.settle();

    // A flood of guesses into the login rate limit.
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(app, "POST", "/users/login", undefined, { email: "member@example.com", password: `Guess${i}!abcdefgh` }),
      ),
    );
    for (let i = 0; i < 10; i++) secrets.add(`Guess${i}!abcdefgh`);
    expect(guesses.map((r) => r.status)).toContain(429);
    await app.settle();

    // What the database holds that must never be printed.
    for (const { hash } of await app.db.select({ hash: users.hashedPassword }).from(users)) if (hash) secrets.add(hash);
    for (const key of await app.db.select().from(gitSshKeys)) {
      secrets.add(key.privateKey);
      for (const line of key.privateKey.split("\n")) if (line.length > 20 && !line.startsWith("-----")) secrets.add(line);
    }

    const log = lines.join("\n");
    // The capture worked: request lines and error lines are there.
    expect(log).toContain('"msg":"request"');
    expect(log).toMatch(/"level":"error"/);
    expect(lines.length).toBeGreaterThan(30);
    const leaked = [...secrets].filter((s) => s.length >= 8 && log.includes(s));
    expect(leaked.map((s) => `${s.slice(0, 12)}…`)).toEqual([]);
    expect(log).not.toMatch(/\$argon2id\$|BEGIN OPENSSH PRIVATE KEY|BEGIN PRIVATE KEY|session_token=|"password"/);
    // The audit rows of the failed requests could not be written after their responses: logged as such.
    expect(log).toContain('"msg":"deferred task failed"');
    // A failed query is logged by its statement text only, never with its bound parameters.
    expect(log).toMatch(/Failed query: /);
    expect(log).not.toMatch(/\nparams: |\\nparams: /);
  });
});
