// Property-based fuzzing with fast-check: random and mutated bodies, query strings (q, limit,
// offset, after_id and junk) and path parameters sent to every route of the OpenAPI document. Properties:
// the answer is never a 5xx, and a 4xx never changes the database (every table but the audit log, which
// records failures by design, and the rate-limit counters). Runs are bounded so the suite stays fast; a
// failure prints fast-check's seed and the shrunk request, so it can be replayed.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type AddedUser, addUser, API, json, OWNER, useTestApp, tablesFingerprint } from "../../support/harness.ts";

/** Runs per property, bounded so the suite stays fast. */
const RUNS = { everyRoute: 500, mutatedBodies: 300, listQueries: 300 } as const;

const { app, owner } = useTestApp({ owner: true });
let victim: AddedUser;
let ops: { method: string; path: string }[];

/** Every user-data table; audit_logs and rate_limits change on a 4xx by design. */
const TABLES = [
  "users",
  "organizations",
  "organization_members",
  "api_keys",
  "user_configs",
  "gitsshkeys",
  "user_links",
  "template_parameter_values",
];

const fingerprint = () => tablesFingerprint(app, TABLES);

async function loginOwner() {
  const res = await app.request(`${API}/users/login`, { method: "POST", json: { email: OWNER.email, password: OWNER.password } });
  owner.token = (await json<{ session_token: string }>(res)).session_token;
}

beforeAll(async () => {
  victim = await addUser(app, { username: "victim", password: "VictimPassword!123", login: true });
  const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await app.request(`${API}/openapi.json`));
  ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
  // One authenticated call per session first: its last-used stamp is the only write a read makes.
  await app.request(`${API}/users/me`, { token: owner.token });
  await app.request(`${API}/users/me`, { token: victim.token });
});

// ---- generators ----

const weirdStrings = fc.constantFrom(
  "",
  " ",
  "me",
  "..",
  "%2e%2e",
  "%2F",
  "%zz",
  "%",
  "%00",
  "null",
  "undefined",
  "0",
  "-1",
  "00000000-0000-0000-0000-000000000000",
  "{00000000-0000-0000-0000-000000000000}",
  "' or 1=1 --",
  '"; drop table users; --',
  "x".repeat(300),
  "ü",
  "🦀",
  "a:b:c",
  "status:",
  ":active",
);

/** A path parameter: a real identifier, a near miss, or noise; always a valid URL segment once encoded. */
const pathParam = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant("me"),
    fc.constant(OWNER.username),
    fc.constant("victim"),
    fc.constant(owner.userId),
    fc.constant(victim.id),
    weirdStrings.map((s) => (s.startsWith("%") ? s : encodeURIComponent(s))),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.uuid().map(String),
  );

const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), weirdStrings);
const anyJson = fc.jsonValue({ maxDepth: 3 });

const FIELDS = [
  "email",
  "username",
  "name",
  "password",
  "old_password",
  "one_time_passcode",
  "login_type",
  "user_status",
  "organization_ids",
  "roles",
  "service_account",
  "token_name",
  "lifetime",
  "scope",
  "scopes",
  "allow_list",
  "theme_preference",
  "terminal_font",
  "theme_mode",
  "task_notification_alert_dismissed",
  "thinking_display_mode",
  "to_type",
  "trial",
];

/** A body: structured noise over the API's own field names, arbitrary JSON, or raw text that is not JSON. */
const body = fc.oneof(
  fc
    .dictionary(fc.constantFrom(...FIELDS), fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), anyJson), { maxKeys: 6 })
    .map((o) => ({ json: o })),
  anyJson.map((v) => ({ json: v })),
  fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("", "{", "[", '{"a":', "\u0000", "{}}", "[1,2", "nul")).map((raw) => ({ raw })),
);

const queryValue = fc.oneof(scalar.map(String), fc.integer({ min: -5, max: 2 ** 40 }).map(String), weirdStrings);
const qTerm = fc.oneof(
  fc.constantFrom(
    "status:active",
    "status:suspended",
    "role:owner",
    "login_type:password",
    "action:login",
    "resource_type:user",
    "username:me",
    "status:4xx",
  ),
  fc
    .tuple(
      fc.constantFrom("status", "role", "action", "username", "email", "created_after", "last_seen_before", "github_com_user_id", "nope"),
      queryValue,
    )
    .map(([k, v]) => `${k}:${v}`),
  weirdStrings,
);
/** A query string: Coder's pagination and search parameters with good and bad values, plus strangers. */
const query = fc
  .record(
    {
      q: fc.array(qTerm, { maxLength: 4 }).map((t) => t.join(" ")),
      limit: queryValue,
      offset: queryValue,
      after_id: fc.oneof(fc.uuid().map(String), queryValue),
      extra: fc.tuple(fc.string({ maxLength: 8 }), queryValue),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(r)) {
      if (k === "extra") params.set((v as [string, string])[0] || "x", (v as [string, string])[1]);
      else params.set(k, v as string);
    }
    const s = params.toString();
    return s ? `?${s}` : "";
  });

const auth = fc.constantFrom("owner", "victim", "none", "garbage");

interface Sent {
  method: string;
  path: string;
  status: number;
  text: string;
}

async function send(
  method: string,
  path: string,
  who: string,
  payload: { json?: unknown; raw?: string } | undefined,
  contentType?: string,
): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (who === "owner") headers["Coder-Session-Token"] = owner.token;
  if (who === "victim") headers["Coder-Session-Token"] = victim.token;
  if (who === "garbage") headers["Coder-Session-Token"] = "eyJhbGciOiJub25lIn0.e30.";
  let bodyText: string | undefined;
  if (payload && method !== "GET" && method !== "HEAD") {
    bodyText = payload.raw ?? JSON.stringify(payload.json);
    headers["content-type"] = contentType ?? "application/json";
  }
  const res = await app.request(path, { method, headers, ...(bodyText !== undefined ? { body: bodyText } : {}) });
  return { method, path, status: res.status, text: await res.text() };
}

/** After a 2xx that may have ended a fixture's session or account, restore it so later runs still reach deep. */
async function restoreFixtures() {
  if ((await app.request(`${API}/users/me`, { token: owner.token })).status !== 200) await loginOwner();
  const v = await app.request(`${API}/users/victim`, { token: owner.token });
  if (v.status !== 200) {
    victim = await addUser(app, { username: `victim${Date.now().toString(36)}`, password: "VictimPassword!123", login: true });
  } else if ((await app.request(`${API}/users/me`, { token: victim.token })).status !== 200) {
    const login = await app.request(`${API}/users/login`, { method: "POST", json: { email: victim.email, password: victim.password } });
    if (login.status === 201) victim.token = (await json<{ session_token: string }>(login)).session_token;
  }
  await app.request(`${API}/users/me`, { token: owner.token });
  await app.request(`${API}/users/me`, { token: victim.token });
}

/** The property every run checks: no 5xx, and on a 4xx the database is exactly as it was. */
async function check(request: () => Promise<Sent>): Promise<void> {
  const before = await fingerprint();
  const sent = await request();
  if (sent.status >= 500) throw new Error(`${sent.method} ${sent.path} → ${sent.status}: ${sent.text.slice(0, 300)}`);
  if (sent.status >= 400) {
    const after = await fingerprint();
    if (after !== before) throw new Error(`${sent.method} ${sent.path} → ${sent.status} changed the database: ${sent.text.slice(0, 300)}`);
    // Coder's shape on every refusal.
    const parsed = JSON.parse(sent.text) as { message?: unknown };
    if (typeof parsed.message !== "string" || parsed.message === "")
      throw new Error(`${sent.method} ${sent.path} → ${sent.status} without a message`);
  } else {
    await restoreFixtures();
  }
}

const fill = (path: string, params: string[]) => {
  let i = 0;
  return path.replace(/\{\w+\}/g, () => params[i++ % params.length]!);
};

describe("fuzzing every route (fast-check)", () => {
  it(`${RUNS.everyRoute} random requests over every route: never a 5xx, never a change on a 4xx`, { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: ops.length - 1 }),
        fc.array(pathParam(), { minLength: 2, maxLength: 2 }),
        query,
        fc.option(body, { nil: undefined }),
        auth,
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/merge-patch+json"),
        async (index, params, qs, payload, who, contentType) => {
          const op = ops[index]!;
          await check(() => send(op.method, fill(op.path, params) + qs, who, payload, contentType));
        },
      ),
      { numRuns: RUNS.everyRoute },
    );
  });

  /** Valid bodies of the write routes: each run breaks one of them in one way. */
  const VALID: Record<string, () => Record<string, unknown>> = {
    "POST /api/v2/users": () => ({
      email: "fz@example.com",
      username: "fz",
      password: "SomeSecurePassword!",
      organization_ids: [owner.organizationId],
    }),
    "POST /api/v2/users/login": () => ({ email: OWNER.email, password: OWNER.password }),
    "POST /api/v2/users/first": () => ({ email: "f@example.com", username: "f", password: "SomeSecurePassword!" }),
    "PUT /api/v2/users/{user}/profile": () => ({ username: "victim", name: "Victim" }),
    "PUT /api/v2/users/{user}/password": () => ({ old_password: "VictimPassword!123", password: "AnotherPassword!456" }),
    "PUT /api/v2/users/{user}/roles": () => ({ roles: ["auditor"] }),
    "PUT /api/v2/users/{user}/appearance": () => ({ theme_preference: "dark", terminal_font: "fira-code" }),
    "PUT /api/v2/users/{user}/preferences": () => ({ task_notification_alert_dismissed: true }),
    "POST /api/v2/users/{user}/keys/tokens": () => ({ token_name: "fz", lifetime: 3_600_000_000_000, scopes: ["user:read"] }),
    "POST /api/v2/users/otp/change-password": () => ({
      email: "victim@example.com",
      password: "AnotherPassword!456",
      one_time_passcode: "x",
    }),
    "POST /api/v2/users/validate-password": () => ({ password: "SomeSecurePassword!" }),
  };
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const) }),
    fc.record({ kind: fc.constant("retype" as const), value: fc.oneof(scalar, anyJson, fc.array(scalar, { maxLength: 3 })) }),
    fc.record({ kind: fc.constant("extra" as const), key: fc.string({ maxLength: 10 }), value: anyJson }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );

  it(`${RUNS.mutatedBodies} mutated valid bodies: never a 5xx, never a change on a 4xx`, { timeout: 240_000 }, async () => {
    const routes = Object.keys(VALID);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.nat(),
        mutation,
        fc.constantFrom("owner", "victim"),
        async (route, fieldIndex, m, who) => {
          const [method, template] = route.split(" ") as [string, string];
          const valid = VALID[route]!();
          const keys = Object.keys(valid);
          const key = keys[fieldIndex % keys.length]!;
          let payload: { json?: unknown; raw?: string };
          if (m.kind === "drop") {
            delete valid[key];
            payload = { json: valid };
          } else if (m.kind === "retype") payload = { json: { ...valid, [key]: m.value } };
          else if (m.kind === "extra") payload = { json: { ...valid, [m.key]: m.value } };
          else {
            const text = JSON.stringify(valid);
            payload = { raw: text.slice(0, m.at % text.length) };
          }
          const path = template.replace("{user}", who === "victim" ? "me" : "victim");
          await check(() => send(method, path, who, payload));
        },
      ),
      { numRuns: RUNS.mutatedBodies },
    );
  });

  it(`${RUNS.listQueries} random q/limit/offset/after_id on GET /users and GET /audit: never a 5xx`, { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/users", "/audit", "/users/me/keys/tokens"), query, async (path, qs) => {
        await check(() => send("GET", `${API}${path}${qs}`, "owner", undefined));
      }),
      { numRuns: RUNS.listQueries },
    );
  });

  it("the fixtures survived the fuzzing well enough to matter: the owner still works", async () => {
    await restoreFixtures();
    expect((await app.request(`${API}/users/me`, { token: owner.token })).status).toBe(200);
  });
});

describe("regressions the fuzzing found", () => {
  it("a NUL character in a path parameter, a query or a JSON body is a 400, not a 500 from Postgres", async () => {
    const cases: [string, string, unknown][] = [
      ["GET", `${API}/users/%00`, undefined],
      ["GET", `${API}/users/me%00x/keys/tokens`, undefined],
      ["GET", `${API}/users?q=${encodeURIComponent("name:a\u0000")}`, undefined],
      ["PUT", `${API}/users/me/profile`, { username: "owner", name: "Nul\u0000Name" }],
      ["POST", `${API}/users/login`, { email: "a\u0000@example.com", password: "x" }],
    ];
    for (const [method, path, body] of cases) {
      const res = await app.request(path, {
        method,
        token: owner.token,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((await json(res)).message).toBe("Request contains a NUL character.");
    }
    // "%2500" is an escaped percent sign followed by zeros, not a NUL.
    expect((await app.request(`${API}/users/%2500`, { token: owner.token })).status).toBe(404);
  });

  it("the refused requests were still audited: a NUL cannot hide an action from the log", async () => {
    await app.settle();
    const res = await app.request(`${API}/audit?q=${encodeURIComponent("action:login status:400")}`, { token: owner.token });
    const page = await json<{ audit_logs: { status_code: number }[] }>(res);
    expect(page.audit_logs.length).toBeGreaterThan(0);
  });
});
