// The authorization suite for the protected routes that do not name a user in their path (the
// /users/{user} routes have user-routes.test.ts). The list comes from the app's OpenAPI document: every
// operation with a security requirement, so a new protected route without a row here fails the coverage
// test. Each gets the same five cases: no token, a forged token, a revoked key, a member reaching for
// another user, and a token scoped to something else; neither of the last two may reveal or change the
// other user.
import { beforeAll, describe, expect, it } from "vitest";
import { createToken, login, send, userRow, useTestApp } from "../../support/harness.ts";
import { type Cast, operationsInDocument, startCast } from "./cast.ts";

type Method = "get" | "post";

interface RouteCase {
  method: Method;
  path: string;
  /** Body sent by every caller; `{org}` becomes the default organization's id. */
  body?: unknown;
  /** What a plain member gets, with another user on the server. */
  member: number;
  /** What the owner gets with a token whose allow list names only the member. */
  scoped: number;
}

const ROUTES: RouteCase[] = [
  // Auditors and owners only.
  { method: "get", path: "/audit", member: 403, scoped: 403 },
  // Always the caller's own claims; a password user has none.
  { method: "get", path: "/users/oidc-claims", member: 400, scoped: 404 },
  // A member lists only themselves; the scoped token only the user it names.
  { method: "get", path: "/users", member: 200, scoped: 200 },
  {
    method: "post",
    path: "/users",
    body: { email: "made@example.com", username: "made", password: "SomeSecurePassword!", organization_ids: ["{org}"] },
    member: 403,
    scoped: 404,
  },
  // The role picker: every member may read it; a token allowed only one user may not read role assignments.
  { method: "get", path: "/users/roles", member: 200, scoped: 403 },
  // Ends the caller's own key only.
  { method: "post", path: "/users/logout", body: {}, member: 200, scoped: 200 },
];

const protectedRoutesInDocument = () =>
  operationsInDocument((path, operation) => !path.startsWith("/api/v2/users/{user}") && Boolean(operation.security?.length));

const { app, owner } = useTestApp({ owner: true });
let { member, other, forged, revoked } = {} as Cast;
beforeAll(async () => {
  ({ member, other, forged, revoked } = await startCast(app, owner));
});

const body = (route: RouteCase) =>
  route.body === undefined ? undefined : JSON.parse(JSON.stringify(route.body).replace("{org}", owner.organizationId));

/** The other user is neither shown nor changed: their row is as it was and their session still works. */
async function expectOtherUntouched(text: string) {
  expect(text).not.toContain(other.id);
  const row = await userRow(app, other.id);
  expect({ username: row.username, status: row.status, deleted: row.deleted }).toEqual({
    username: other.username,
    status: "active",
    deleted: false,
  });
  expect((await send(app, "GET", "/users/me", other.token)).status).toBe(200);
}

describe("authorization on every protected route outside /users/{user}", () => {
  it(`covers every protected route the app serves (${ROUTES.length} routes)`, () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(protectedRoutesInDocument());
  });

  it.each(ROUTES)("$method $path: no token → 401", async (route) => {
    const res = await send(app, route.method.toUpperCase(), route.path, undefined, body(route));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out") });
  });

  it.each(ROUTES)("$method $path: forged token → 401", async (route) => {
    const res = await send(app, route.method.toUpperCase(), route.path, forged, body(route));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out") });
  });

  it.each(ROUTES)("$method $path: revoked key → 401", async (route) => {
    const res = await send(app, route.method.toUpperCase(), route.path, revoked, body(route));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out"), detail: "API key is invalid." });
  });

  it.each(ROUTES)("$method $path: member, with another user present → $member, the other untouched", async (route) => {
    // A session of its own: logout ends the key it is sent with.
    const token = await login(app, member.email, member.password);
    const res = await send(app, route.method.toUpperCase(), route.path, token, body(route));
    expect(res.status).toBe(route.member);
    await expectOtherUntouched(await res.text());
  });

  it.each(ROUTES)("$method $path: owner token scoped to another user → $scoped, the other untouched", async (route) => {
    const allowList = [{ type: "user", id: member.id }];
    const { key } = await createToken(app, owner.token, { token_name: `scoped-${ROUTES.indexOf(route)}`, allow_list: allowList });
    const res = await send(app, route.method.toUpperCase(), route.path, key, body(route));
    expect(res.status).toBe(route.scoped);
    await expectOtherUntouched(await res.text());
  });
});
