// What each request costs in database round trips on Workers, counted by the proxies it goes through
// (their own pair, so no other file's traffic is counted): a single statement is one HTTP request to Neon's
// SQL-over-HTTP endpoint; only a request that runs a transaction opens a WebSocket, and only one. `rounds`
// counts the HTTP requests the request waited for one after another: requests sent together count once (the
// endpoint here holds each for 25 ms, test/support/global-setup.ts).
import { beforeAll, describe, expect, inject, it } from "vitest";
import { jti, ownerSession, workerClient, type CallInit } from "./client.ts";

const { bindings, statsUrl } = inject("roundTrips");
const call = workerClient(undefined, bindings);

interface Stats {
  http: { requests: number; statements: number; rounds: number };
  ws: { connections: number; roundTrips: number };
}

const stats = async (): Promise<Stats> => (await fetch(statsUrl)).json() as Promise<Stats>;

/** The request's response and what the database saw of it, deferred work included (the client awaits it). */
async function counted(path: string, init: CallInit = {}) {
  const before = await stats();
  const res = await call(path, init);
  const body = await res.text();
  const after = await stats();
  return {
    status: res.status,
    body,
    httpRequests: after.http.requests - before.http.requests,
    statements: after.http.statements - before.http.statements,
    rounds: after.http.rounds - before.http.rounds,
    wsConnections: after.ws.connections - before.ws.connections,
    wsRoundTrips: after.ws.roundTrips - before.ws.roundTrips,
  };
}

let token = "";
let organizationId = "";

beforeAll(async () => {
  ({ token, organizationId } = await ownerSession(call));
  // The isolate's schema check is behind us: it runs before the first request only.
  expect((await call("/api/v2/users/me", { token })).status).toBe(200);
});

describe("database round trips per request on Workers", () => {
  it("GET /users/me: exactly one HTTP request, one statement, no WebSocket", async () => {
    for (let i = 0; i < 3; i++) {
      const me = await counted("/api/v2/users/me", { token });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body)).toMatchObject({ username: "edge-owner" });
      expect(me).toMatchObject({ httpRequests: 1, statements: 1, rounds: 1, wsConnections: 0, wsRoundTrips: 0 });
    }
  });

  it("a refused token costs no round trip at all", async () => {
    const refused = await counted("/api/v2/users/me", { token: `${token.slice(0, -4)}AAAA` });
    expect(refused.status).toBe(401);
    expect(refused).toMatchObject({ httpRequests: 0, wsConnections: 0 });
  });

  it("reads over HTTP only: GET /users and GET /users/{user}", async () => {
    for (const path of ["/api/v2/users?limit=5", "/api/v2/users/edge-owner"]) {
      const read = await counted(path, { token });
      expect(read.status, path).toBe(200);
      expect(read.wsConnections, path).toBe(0);
      expect(read.httpRequests, path).toBeGreaterThanOrEqual(1);
      expect(read.httpRequests, path).toBe(read.statements);
    }
  });

  it("GET /users/me/appearance, /preferences, /gitsshkey, /organizations: the actor and the route's read together, one round", async () => {
    for (const path of ["appearance", "preferences", "gitsshkey", "organizations"]) {
      // The route's read of the caller's rows is sent beside the actor query (src/users/target-reads.ts).
      const read = await counted(`/api/v2/users/me/${path}`, { token });
      expect(read.status, path).toBe(200);
      expect(read, path).toMatchObject({ httpRequests: 2, statements: 2, rounds: 1, wsConnections: 0, wsRoundTrips: 0 });
    }
    // Named by username, the target is known only once resolved: the actor, the user the name names, then the read.
    const byName = await counted("/api/v2/users/edge-owner/appearance", { token });
    expect(byName).toMatchObject({ status: 200, httpRequests: 3, statements: 3, rounds: 3, wsConnections: 0 });
  });

  it("a transactional write opens exactly one WebSocket, closed after the response", async () => {
    const created = await counted("/api/v2/users", {
      method: "POST",
      token,
      json: { email: "trips@example.com", username: "trips", password: "SomeSecurePassword!", organization_ids: [organizationId] },
    });
    expect(created.status).toBe(201);
    // An audited route runs in one transaction from before the session check (src/audit/middleware.ts), so
    // its actor query is on the WebSocket too, and nothing goes over HTTP.
    expect(created).toMatchObject({ httpRequests: 0, wsConnections: 1 });
    const found = await counted("/api/v2/users/trips", { token });
    expect(found.status).toBe(200);
  });

  it("an audited write without a valid token costs no round trip: the transaction is not even begun", async () => {
    const body = { json: { token_name: "never" } };
    for (const refusedToken of [undefined, `${token.slice(0, -4)}AAAA`]) {
      const refused = await counted("/api/v2/users/me/keys/tokens", {
        method: "POST",
        ...body,
        ...(refusedToken ? { token: refusedToken } : {}),
      });
      expect(refused.status).toBe(401);
      expect(refused).toMatchObject({ httpRequests: 0, wsConnections: 0 });
    }
  });

  it("sign-in: over HTTP only, three statements; a dormant user's first one also runs a transaction; sign-out two", async () => {
    const signIn = () =>
      counted("/api/v2/users/login", { method: "POST", json: { email: "trips@example.com", password: "SomeSecurePassword!" } });
    const first = await signIn();
    expect(first.status).toBe(201);
    // The user was created dormant: its sign-in also marks it active, in a transaction on one WebSocket:
    // open (TCP and upgrade: 2), start-up, BEGIN, the lock, the update, the key, its record, COMMIT.
    expect(first).toMatchObject({ wsConnections: 1, wsRoundTrips: 9 });
    // Over HTTP: the login counter's hit, the lookup, and the counter's refund (src/security/rate-limit.ts).
    expect(first).toMatchObject({ httpRequests: 3, statements: 3 });

    // The usual sign-in: the counter's hit, the lookup (sent together: src/users/sign-in-lookup.ts), and the
    // key written with its audit record and the counter's refund in one statement (src/audit/actions.ts,
    // recordsItself; src/security/rate-limit.ts, takeRefund). No transaction, so no WebSocket.
    const usual = await signIn();
    expect(usual).toMatchObject({ status: 201, httpRequests: 3, statements: 3, rounds: 2, wsConnections: 0, wsRoundTrips: 0 });
    const session = (JSON.parse(usual.body) as { session_token: string }).session_token;
    // The new key's first use also stamps its last use (deferred): a second single statement, still over HTTP.
    expect(await counted("/api/v2/users/me", { token: session })).toMatchObject({ status: 200, httpRequests: 2, wsConnections: 0 });
    expect(await counted("/api/v2/users/me", { token: session })).toMatchObject({ status: 200, httpRequests: 1, wsConnections: 0 });

    // Signing out: the actor query, then the keys deleted with the sign-out's record in one statement
    // (src/keys/queries.ts signOut). The audited transaction took a WebSocket and eight round trips.
    const out = await counted("/api/v2/users/logout", { method: "POST", token: session });
    expect(out).toMatchObject({ status: 200, httpRequests: 2, statements: 2, wsConnections: 0, wsRoundTrips: 0 });
    expect((await call("/api/v2/users/me", { token: session })).status).toBe(401);
  });

  it("token creation: two statements over HTTP, the key with its audit record in one; expiry and deletion three; no WebSocket", async () => {
    const created = await counted("/api/v2/users/me/keys/tokens", { method: "POST", token, json: { token_name: "trips-ci" } });
    expect(created.status).toBe(201);
    // The actor query, then the key written with its record (src/keys/issue-recorded.ts). The audited
    // transaction took a WebSocket: open (2), start-up, BEGIN, the actor query, the key, the record, COMMIT.
    expect(created).toMatchObject({ httpRequests: 2, statements: 2, wsConnections: 0, wsRoundTrips: 0 });
    const { key } = JSON.parse(created.body) as { key: string };
    expect((await call("/api/v2/users/me", { token: key })).status).toBe(200);

    // A name already taken: the same two, the insert refused by the unique index, and the refusal's record
    // written after the response (src/audit/middleware.ts auditTrail).
    const clash = await counted("/api/v2/users/me/keys/tokens", { method: "POST", token, json: { token_name: "trips-ci" } });
    expect(clash.status).toBe(409);
    expect(clash).toMatchObject({ httpRequests: 3, statements: 3, wsConnections: 0 });

    // Expiring and deleting it: the actor query, the key's lookup, the change with its record.
    const id = jti(key);
    for (const [method, path] of [
      ["PUT", `/api/v2/users/me/keys/${id}/expire`],
      ["DELETE", `/api/v2/users/me/keys/${id}`],
    ] as const) {
      const changed = await counted(path, { method, token });
      expect(changed, path).toMatchObject({ status: 204, httpRequests: 3, statements: 3, wsConnections: 0, wsRoundTrips: 0 });
    }
  });
});
