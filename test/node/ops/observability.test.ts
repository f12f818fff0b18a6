// Observability: one JSON line per request when LOG_REQUESTS is on, with the fields an
// operator needs and nothing secret; errors logged with their cause; /healthz and /readyz.
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EXPECTED_MIGRATION, MIGRATIONS } from "../../../src/db/schema-version.ts";
import { describeError } from "../../../src/http/logging.ts";
import { API, json, OWNER, startTestApp, type TestApp, withOwner, useTestApp } from "../../support/harness.ts";

type Line = Record<string, unknown> & { error?: { name: string; message: string; code?: string; cause?: Record<string, unknown> } };

/** Captures what the app writes to the console during `fn`, as raw strings. */
async function captured(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  try {
    await fn();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

const requestLines = (lines: string[]): Line[] => lines.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === "request");

/**
 * A sign-in that fails with a 500 (a constraint no insert can satisfy makes issuing the session key fail),
 * and the log lines written meanwhile.
 */
async function failingLogin(app: TestApp): Promise<{ res: Response; lines: string[] }> {
  await app.db.execute(sql`alter table api_keys add constraint ops_test_refuse_keys check (false) not valid`);
  let res!: Response;
  try {
    const lines = await captured(async () => {
      res = await app.request(`${API}/users/login`, { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
    });
    return { res, lines };
  } finally {
    await app.db.execute(sql`alter table api_keys drop constraint ops_test_refuse_keys`);
  }
}

describe("request log (LOG_REQUESTS=true)", () => {
  const { app } = useTestApp({ env: { LOG_REQUESTS: "true" } });
  let owner: { userId: string; token: string };

  beforeAll(async () => {
    await captured(async () => {
      owner = await withOwner(app);
    });
  });

  it("writes one line per request: request id, tenant, route pattern, method, status, duration, actor", async () => {
    let res!: Response;
    const lines = await captured(async () => {
      res = await app.request(`${API}/users/me`, { token: owner.token });
    });
    expect(res.status).toBe(200);
    expect(lines).toHaveLength(1);
    const [line] = requestLines(lines);
    expect(line).toEqual({
      level: "info",
      msg: "request",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      request_id: res.headers.get("X-Request-Id"),
      tenant: "gatehouse.test",
      method: "GET",
      route: "/api/v2/users/:user",
      status: 200,
      duration_ms: expect.any(Number),
      actor_id: owner.userId,
    });
  });

  it("names the tenant by TENANT_ID when set", async () => {
    const tenant = await startTestApp({ env: { LOG_REQUESTS: "true", TENANT_ID: "acme" } });
    try {
      const lines = await captured(() => tenant.request("/healthz"));
      expect(requestLines(lines)[0]).toMatchObject({ tenant: "acme", route: "/healthz", status: 200 });
    } finally {
      await tenant.close();
    }
  });

  it("never logs the token, wherever it was sent, nor the query string", async () => {
    const lines = await captured(async () => {
      await app.request(`${API}/users/me?coder_session_token=${owner.token}`);
      await app.request(`${API}/users/me`, { headers: { Authorization: `Bearer ${owner.token}` } });
      await app.request(`${API}/users/me`, { headers: { cookie: `coder_session_token=${owner.token}` } });
    });
    expect(requestLines(lines).map((l) => l.status)).toEqual([200, 200, 200]);
    const [, payload, signature] = owner.token.split(".");
    for (const l of lines) {
      expect(l).not.toContain(payload!);
      expect(l).not.toContain(signature!);
      expect(l).not.toContain("coder_session_token");
    }
  });

  it("logs a login without the password or the session token it issued, and without an actor", async () => {
    let token = "";
    const lines = await captured(async () => {
      const res = await app.request(`${API}/users/login`, { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
      token = ((await res.json()) as { session_token: string }).session_token;
    });
    const [line] = requestLines(lines);
    expect(line).toMatchObject({ method: "POST", route: "/api/v2/users/login", status: 201 });
    expect(line).not.toHaveProperty("actor_id");
    expect(lines.join("\n")).not.toContain(OWNER.password);
    expect(lines.join("\n")).not.toContain(token.split(".")[2]!);
  });

  it("logs refused and unknown requests: 401 without an actor, 404 with no route", async () => {
    const lines = await captured(async () => {
      await app.request(`${API}/users/me`, { token: "garbage" });
      await app.request("/api/v2/no-such-thing");
    });
    const [refused, unknown] = requestLines(lines);
    expect(refused).toMatchObject({ status: 401, route: "/api/v2/users/:user" });
    expect(refused).not.toHaveProperty("actor_id");
    expect(unknown).toMatchObject({ status: 404, route: null });
  });

  it("names the route that answered, not a pattern registered after it that the path also fits", async () => {
    const lines = await captured(async () => {
      await app.request(`${API}/users/authmethods`);
      await app.request(`${API}/users/first`);
    });
    const [methods, first] = requestLines(lines);
    expect(methods).toMatchObject({ status: 200, route: "/api/v2/users/authmethods" });
    expect(first).toMatchObject({ route: "/api/v2/users/first" });
  });

  it("logs a 500 on the request's line at level error, with its cause chain and without query parameters", async () => {
    const { res, lines } = await failingLogin(app);
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({ message: "An internal server error occurred." });
    expect(lines).toHaveLength(1);
    const [line] = requestLines(lines);
    expect(line).toMatchObject({ level: "error", status: 500, route: "/api/v2/users/login" });
    // The statement that writes the session key (with its audit record: src/keys/issue.ts issueKeyIf).
    expect(line!.error!.message).toMatch(/^Failed query: with inserted_key as \(insert into "api_keys"/);
    expect(line!.error!.cause).toMatchObject({ code: "23514" });
    expect(lines[0]).not.toContain("params");
    expect(lines[0]).not.toContain(OWNER.password);
    expect(lines[0]).not.toContain(owner.userId);
  });
});

describe("with LOG_REQUESTS unset (the default, and the tests')", () => {
  const { app } = useTestApp({ owner: true });
  afterEach(() => vi.restoreAllMocks());

  it("writes nothing for a request", async () => {
    const lines = await captured(() => app.request("/healthz"));
    expect(lines).toEqual([]);
  });

  it("still logs an unhandled error, with its cause and the request id", async () => {
    const { res, lines } = await failingLogin(app);
    expect(res.status).toBe(500);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Line;
    expect(line).toMatchObject({ level: "error", msg: "unhandled error", request_id: res.headers.get("X-Request-Id") });
    expect(line.error!.cause).toMatchObject({ code: "23514" });
  });
});

describe("describeError", () => {
  it("keeps a Drizzle query's statement and drops its parameters", () => {
    const pgError = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (email)=(a@b.c)",
    });
    const drizzleError = Object.assign(new Error('Failed query: insert into "users" values ($1)\nparams: $argon2id$secret'), {
      query: 'insert into "users" values ($1)',
      params: ["$argon2id$secret"],
      cause: pgError,
    });
    const fields = describeError(drizzleError);
    expect(fields).toEqual({
      name: "Error",
      message: 'Failed query: insert into "users" values ($1)',
      cause: { name: "Error", message: "duplicate key value violates unique constraint", code: "23505" },
    });
    expect(JSON.stringify(fields)).not.toContain("secret");
    expect(JSON.stringify(fields)).not.toContain("a@b.c");
  });

  it("describes a thrown non-Error without printing it", () => {
    expect(describeError("token=abc")).toEqual({ name: "string", message: "non-Error thrown" });
  });
});

describe("/healthz and /readyz", () => {
  const { app } = useTestApp();

  it("/healthz answers without touching the database", async () => {
    app.queries.count = 0;
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(app.queries.count).toBe(0);
  });

  it("/readyz answers 200 with the newest migration when the database is migrated", async () => {
    app.queries.count = 0;
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", migration: EXPECTED_MIGRATION.tag });
    expect(app.queries.count).toBe(1);
  });

  it("/readyz answers 503 in Coder's shape when a migration is missing", async () => {
    const removed = await app.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations) returning hash, created_at`,
    );
    const row = (removed as unknown as { rows: { hash: string; created_at: string }[] }).rows[0]!;
    try {
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        message: "The database schema is older than this version of Gatehouse.",
        detail: `Newest migration applied: ${MIGRATIONS[MIGRATIONS.length - 2]!.tag}; this deployment needs ${EXPECTED_MIGRATION.tag} (1 pending). Run "npm run db:migrate" against this database, then retry.`,
      });
    } finally {
      await app.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${row.hash}, ${row.created_at})`);
    }
    expect((await app.request("/readyz")).status).toBe(200);
  });

  it("/readyz answers 503 when the database cannot be reached, and logs why", async () => {
    const db = app.deps.db;
    const broken = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    app.deps.db = { ...db, execute: () => Promise.reject(broken) } as unknown as typeof db;
    let res!: Response;
    let lines: string[];
    try {
      lines = await captured(async () => {
        res = await app.request("/readyz");
      });
    } finally {
      app.deps.db = db;
    }
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: "The database is unreachable." });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "error",
      msg: "readiness check: database unreachable",
      error: { message: broken.message },
    });
  });
});
