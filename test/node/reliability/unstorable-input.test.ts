// Input Postgres cannot store, or the app cannot walk, is refused where the body is read: an unpaired UTF-16
// surrogate or a NUL used to reach the database (an action then succeeded while its audit record's insert
// failed), and JSON nested deep enough to overflow the stack answered 500 before anything was checked.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, users } from "../../../src/db/schema.ts";
import { MAX_JSON_DEPTH } from "../../../src/security/input.ts";
import { API, auditRowsOf, type ErrorBody, json, OWNER, sendJsonText, startTestApp, useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

const send = (method: string, path: string, text: string, token?: string) => sendJsonText(app, method, path, text, token);
const auditRows = () => auditRowsOf(app);

describe("values Postgres cannot store are refused where the body is read", () => {
  it("attack: a 100-year token named with a lone surrogate is refused, and no token exists without a record", async () => {
    const before = await auditRows();
    const res = await send("POST", "/users/me/keys/tokens", '{"token_name":"x\\ud800","lifetime":3153600000000000000}', owner.token);
    expect(res.status).toBe(400);
    expect(await json<ErrorBody>(res)).toMatchObject({ message: "Request contains an unpaired UTF-16 surrogate." });
    expect(await app.db.select().from(apiKeys).where(eq(apiKeys.loginType, "token"))).toEqual([]);
    // Refused before the session was read: nothing changed, so nothing is recorded either.
    expect(await auditRows()).toEqual(before);
  });

  it("attack: a new owner named with a lone surrogate is refused on a fresh deployment", async () => {
    const fresh = await startTestApp();
    try {
      const body = JSON.stringify({ ...OWNER, name: "\ud800" });
      expect(body).toContain("\\ud800");
      const res = await fresh.request(`${API}/users/first`, { method: "POST", body, headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect(await fresh.db.select().from(users)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("attack: lone surrogates hidden in a key, a low half alone, or two high halves are refused alike", async () => {
    for (const text of ['{"name":"ok","\\udc00":1}', '{"name":"\\udc00x"}', '{"name":"\\ud800\\ud800"}']) {
      const res = await send("PUT", "/users/me/profile", text.replace("{", `{"username":"${OWNER.username}",`), owner.token);
      expect(res.status, text).toBe(400);
    }
    const [me] = await app.db.select().from(users).where(eq(users.id, owner.userId));
    expect(me!.name).toBe(OWNER.name);
  });

  it("a NUL in a body is refused as before", async () => {
    const res = await send("POST", "/users/me/keys/tokens", '{"token_name":"nul\\u0000"}', owner.token);
    expect(res.status).toBe(400);
    expect(await json<ErrorBody>(res)).toMatchObject({ message: "Request contains a NUL character." });
  });
});

describe("deeply nested JSON", () => {
  const nested = (depth: number) => `{"email":${"[".repeat(depth)}${"]".repeat(depth)},"password":"x"}`;

  it("attack: 100,000 levels of nesting sent to the unauthenticated login answer 400, not 500", async () => {
    const res = await send("POST", "/users/login", nested(100_000));
    expect(res.status).toBe(400);
    expect(await json<ErrorBody>(res)).toEqual({
      message: "Request body must be valid JSON.",
      detail: `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`,
    });
  });

  it("attack: deep nesting in an audited, authenticated write answers 400 and changes nothing", async () => {
    const res = await send(
      "PUT",
      "/users/me/appearance",
      `{"theme_preference":${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}}`,
      owner.token,
    );
    expect(res.status).toBe(400);
  });

  it("nesting up to the limit is read as usual (the route judges the value)", async () => {
    const res = await send("POST", "/users/login", nested(MAX_JSON_DEPTH - 1));
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).detail ?? "").not.toContain("nests deeper");
  });
});
