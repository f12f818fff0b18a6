// The contract test: Coder's dashboard session (dashboard-session.ts) replayed step by step against the
// app, each answer checked for Coder's status and against the app's own OpenAPI document with every object
// closed (closed-schema.ts): a field the document does not list, a required field missing or a value of
// the wrong type fails here, so the served shape cannot drift from the documented one unnoticed.
import { describe, expect, it } from "vitest";
import { API, json, replyOf, startHook, useStarted, useTestApp } from "../../support/harness.ts";
import { closeSchema, type OpenApiDocument, problems, responseSchema } from "./closed-schema.ts";
import { type Actor, DASHBOARD_SESSION, type Step } from "./dashboard-session.ts";

const hook = useStarted("passcode webhook", () => startHook());
const { app } = useTestApp({ env: () => ({ NOTIFICATIONS_WEBHOOK_URL: hook.url }) });

/** What the session has learnt so far: ids, session tokens (`token:<actor>`), the passcode. */
const vars = new Map<string, string>();
let document: OpenApiDocument | undefined;

async function openApiDocument(): Promise<OpenApiDocument> {
  document ??= await json<OpenApiDocument>(await app.request(`${API}/openapi.json`));
  return document;
}

/** `$name` replaced by what the session captured as `name`, anywhere in a string, array or object. */
function resolve<T>(value: T): T {
  if (typeof value === "string" && value.startsWith("$")) {
    const found = vars.get(value.slice(1));
    if (found === undefined) throw new Error(`${value} is used before a step captured it`);
    return found as T;
  }
  if (Array.isArray(value)) return value.map(resolve) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)])) as T;
  return value;
}

function urlOf(step: Step): string {
  const args: Record<string, string> = resolve({ user: "me", ...step.args });
  const path = step.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const arg = args[name];
    if (arg === undefined) throw new Error(`${step.path}: no value for {${name}}`);
    return encodeURIComponent(arg);
  });
  const query = new URLSearchParams(resolve(step.query ?? {})).toString();
  return `${API}${path}${query ? `?${query}` : ""}`;
}

function tokenOf(actor: Actor): string | undefined {
  if (actor === "anonymous") return undefined;
  const token = vars.get(`token:${actor}`);
  if (!token) throw new Error(`${actor} acts before signing in`);
  return token;
}

/** The value at a dotted path of a response body (`0.id`: the first element's id). */
function pick(body: unknown, path: string): string {
  let at: unknown = body;
  for (const part of path.split(".")) at = (at as Record<string, unknown> | undefined)?.[part];
  if (typeof at !== "string") throw new Error(`no string at ${path} in ${JSON.stringify(body)}`);
  return at;
}

const label = (step: Step, n: number) => `${String(n + 1).padStart(2, "0")} ${step.actor}: ${step.method} ${step.path} → ${step.status}`;

describe("Coder's dashboard session, replayed against the app and checked against its OpenAPI document", () => {
  DASHBOARD_SESSION.forEach((step, n) => {
    it(label(step, n), async () => {
      const doc = await openApiDocument();
      const documented = doc.paths[`${API}${step.path}`]?.[step.method.toLowerCase()] !== undefined;
      expect(documented, `${step.method} ${step.path} is documented`).toBe(true);

      const token = tokenOf(step.actor);
      const res = await app.request(urlOf(step), {
        method: step.method,
        ...(step.body !== undefined ? { json: resolve(step.body) } : {}),
        ...(token ? { token } : {}),
      });
      const reply = await replyOf(res);
      expect(reply.status, `${step.method} ${urlOf(step)} answered ${reply.text} (Coder: ${step.coder})`).toBe(step.status);

      // Captured before the body is judged, so one drifting field fails its own step, not every later one.
      for (const [name, path] of Object.entries(step.capture ?? {})) vars.set(name, pick(reply.body, path));
      if (step.passcode) {
        await app.settle();
        const delivery = hook.received.at(-1);
        vars.set(step.passcode, pick(delivery?.json, "passcode"));
      }

      const schema = responseSchema(doc, `${API}${step.path}`, step.method, reply.status);
      if (schema) {
        expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
        expect(problems(schema, reply.body), `${step.method} ${step.path} ${reply.status}: ${reply.text}`).toEqual([]);
      } else {
        expect(reply.text, "a status the document gives no body has none").toBe("");
      }
    });
  });
});

describe("the document's success bodies", () => {
  // A client generated from the document would type a body that may be null as `T | null`; no route
  // answers null, and a shared component made nullable by one use (zod's .nullable() on a registered
  // schema) would say so of every route that returns it.
  it("are never documented as possibly null", async () => {
    const doc = await openApiDocument();
    const nullable: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of Object.keys(operation.responses).filter((s) => s.startsWith("2"))) {
          const schema = responseSchema(doc, path, method, Number(status));
          if (schema && problems(schema, null).length === 0) nullable.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(nullable).toEqual([]);
  });
});

describe("the closed schemas refuse what the document does not describe", () => {
  // The replay only proves the app's answers conform; these prove the check would notice if they did not.
  const user = () => ({ type: "object", properties: { id: { type: "string" } }, required: ["id"] });

  it("an extra field, at the top and nested in arrays and allOf", () => {
    expect(problems(closeSchema(user(), {}), { id: "a", extra: 1 })).toEqual(['(body): Unrecognized key: "extra" (extra)']);
    const list = closeSchema({ type: "array", items: { $ref: "#/components/schemas/U" } }, { U: user() });
    expect(problems(list, [{ id: "a" }, { id: "b", leaked: true }])).toEqual(['1: Unrecognized key: "leaked" (leaked)']);
    const withOwner = closeSchema(
      { allOf: [user(), { type: "object", properties: { username: { type: "string" } }, required: ["username"] }] },
      {},
    );
    expect(problems(withOwner, { id: "a", username: "u" })).toEqual([]);
    expect(problems(withOwner, { id: "a", username: "u", hashed_password: "x" })).toHaveLength(1);
  });

  it("a required field missing, or of the wrong type", () => {
    expect(problems(closeSchema(user(), {}), {})).toHaveLength(1);
    expect(problems(closeSchema(user(), {}), { id: 7 })).toHaveLength(1);
  });

  it("a map keeps the keys it documents as free", () => {
    const map = closeSchema({ type: "object", additionalProperties: { type: "boolean" } }, {});
    expect(problems(map, { a: true, b: false })).toEqual([]);
    expect(problems(map, { a: "yes" })).toHaveLength(1);
  });
});
