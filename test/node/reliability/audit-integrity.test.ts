// A property over every audited route: whatever string a client puts in any field it controls (an unpaired
// surrogate, a NUL, a string of 1 MiB, mixed scripts, arbitrary UTF-16), the answer is either a refusal
// that changed nothing, or a success with exactly one audit record. Never a success without its record, and
// never a 5xx. Each run starts from a request that would succeed and puts the adversarial string in one of
// its body fields, an extra body field, or a path parameter.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIT_RULES } from "../../../src/audit/actions.ts";
import { type AddedUser, addUser, API, auditRowsFor, useTestApp, tablesFingerprint } from "../../support/harness.ts";

const RUNS = 150;
const TABLES = ["users", "organization_members", "api_keys", "user_configs", "gitsshkeys", "user_links"];

const { app, owner } = useTestApp({ owner: true });
let serial = 0;

const fingerprint = () => tablesFingerprint(app, TABLES);

interface Plan {
  method: string;
  /** Path segments after /api/v2; strings the test may replace are marked by index in `params`. */
  segments: string[];
  params: number[];
  body?: Record<string, unknown>;
  token?: string;
}

/** A request to the audited route `key` that would succeed (or, for /users/first, be refused) as built. */
async function plan(key: string): Promise<Plan> {
  const n = ++serial;
  const [method, path] = key.split(" ") as [string, string];
  const subject: AddedUser = await addUser(app, { username: `subject${n}`, login: true });
  const keyId = JSON.parse(Buffer.from(subject.token.split(".")[1]!, "base64url").toString()).jti as string;
  const segments = path
    .replace(/^\/api\/v2\//, "")
    .split("/")
    .map((s) => (s === ":user" ? subject.username : s === ":keyid" ? keyId : s));
  const params = segments.flatMap((s, i) => (s === subject.username || s === keyId ? [i] : []));
  const bodies: Record<string, Record<string, unknown>> = {
    "POST /api/v2/users/first": { email: `first${n}@example.com`, username: `first${n}`, password: "SomeSecurePassword!", name: "First" },
    "POST /api/v2/users": {
      email: `new${n}@example.com`,
      username: `new${n}`,
      password: "SomeSecurePassword!",
      name: "New",
      organization_ids: [owner.organizationId],
    },
    "POST /api/v2/users/login": { email: subject.email, password: subject.password },
    "POST /api/v2/users/otp/request": { email: subject.email },
    "POST /api/v2/users/otp/change-password": {
      email: subject.email,
      password: "AnotherPassword!42",
      one_time_passcode: crypto.randomUUID(),
    },
    "PUT /api/v2/users/:user/profile": { username: subject.username, name: "Renamed" },
    "PUT /api/v2/users/:user/password": { password: "AnotherPassword!42" },
    "PUT /api/v2/users/:user/roles": { roles: ["auditor"] },
    "PUT /api/v2/users/:user/appearance": { theme_preference: "dark", terminal_font: "" },
    "PUT /api/v2/users/:user/preferences": {},
    "POST /api/v2/users/:user/keys/tokens": { token_name: `token${n}` },
  };
  return {
    method,
    segments,
    params,
    body: method === "GET" || method === "DELETE" ? undefined : (bodies[key] ?? {}),
    token: key === "POST /api/v2/users/logout" ? subject.token : owner.token,
  };
}

const adversarial = fc.oneof(
  fc.constantFrom(
    "x\ud800",
    "\udfff",
    "🦀".slice(0, 1),
    "\ud800\ud800",
    "a\u0000b",
    "\u0000",
    "Ꭺdmin-ｓｃｒｉｐｔ-한글-ไทย-العربية-🦀",
    "\u202eevil",
    "admin\u200b",
    "İK",
  ),
  fc.constantFrom(1 << 20, 1_000_000 - 400).map((len) => "x".repeat(len)),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((units) => String.fromCharCode(...units)),
);

/** A path segment as a client could send it: percent-encoded UTF-8, a lone surrogate as its (invalid) bytes. */
const segment = (s: string) => [...s].map((ch) => (ch.isWellFormed() ? encodeURIComponent(ch) : "%ED%A0%80")).join("");

const routes = Object.keys(AUDIT_RULES).filter((k) => !k.startsWith("GET "));

describe("every audited route under adversarial strings", () => {
  it(`4xx and nothing changed, or 2xx and exactly one audit row (${RUNS} runs over ${routes.length} routes)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.nat(), adversarial, async (route, pick, evil) => {
        const p = await plan(route);
        const fields = Object.keys(p.body ?? {}).filter((f) => typeof p.body![f] === "string");
        // Positions: each string body field, one extra body field, each path parameter (short strings only).
        const positions = [
          ...fields.map((f) => ({ field: f })),
          ...(p.body ? [{ field: "extra" }] : []),
          ...(evil.length < 4096 ? p.params.map((i) => ({ index: i })) : []),
        ];
        if (positions.length === 0) return;
        const at = positions[pick % positions.length]!;
        const body = p.body ? { ...p.body } : undefined;
        const segments = p.segments.map((s) => encodeURIComponent(s));
        if ("field" in at) body![at.field] = evil;
        else segments[at.index] = segment(evil);

        const before = await fingerprint();
        const res = await app.request(`${API}/${segments.join("/")}`, {
          method: p.method,
          ...(p.token ? { token: p.token } : {}),
          ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
        });
        const text = await res.text();
        const label = `${route} with ${JSON.stringify(at)} = ${JSON.stringify(evil.slice(0, 40))}${evil.length > 40 ? `… (${evil.length})` : ""}`;
        expect(res.status, `${label}: ${text.slice(0, 200)}`).toBeLessThan(500);
        const rows = await auditRowsFor(app, res);
        if (res.status >= 400) {
          expect(await fingerprint(), `${label} → ${res.status} changed the database`).toBe(before);
          expect(rows.length, label).toBeLessThanOrEqual(1);
        } else {
          expect(rows, `${label} → ${res.status}`).toHaveLength(1);
          expect(rows[0]!.statusCode).toBe(res.status);
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
