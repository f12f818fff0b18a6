// One authorization suite for every route under /users/{user}: the route list comes from the app's own
// OpenAPI document, so a route added without a row here fails the coverage test. Every route gets the
// same five refusals: no token, a forged token, a revoked key, a member acting on another user, and a
// token scoped to something else; then what a member may do to themselves and what the owner may do.
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { type AddedUser, createToken, NOT_FOUND, useTestApp } from "../../support/harness.ts";
import { type Cast, operationsInDocument, startCast } from "./cast.ts";

type Method = "get" | "put" | "post" | "patch" | "delete";

interface RouteCase {
  method: Method;
  path: string;
  /** Body sent by every caller (valid for the owner's call). */
  body?: unknown;
  query?: string;
  /** What the owner gets acting on a member. */
  owner: number;
  /**
   * What a plain member gets acting on themselves, where the route is admin-only or has a self rule;
   * omitted where a member may act on themselves.
   */
  memberOnSelf?: number;
}

const TEMPLATE_ID = "7d9f4a2e-1b3c-4d5e-8f90-a1b2c3d4e5f6";
/** A browser's push subscription: an https endpoint, a P-256 public key and a 16-byte secret. */
const PUSH = {
  endpoint: "https://push.example.com/send/authz",
  p256dh_key: "BHJFl8TEX_h6ay-icnEmvGMI1JuiSRT4fL6L-ANrWSj96P_clA4vsN0mF4VoMOmbbTlmy7FJcjwkhSvXumkEB9I",
  auth_key: "T02BExr-d5oUkST20E0TSA",
};

// Order matters only for the routes that change the member: those come last.
const ROUTES: RouteCase[] = [
  { method: "get", path: "/users/{user}", owner: 200 },
  { method: "get", path: "/users/{user}/appearance", owner: 200 },
  { method: "put", path: "/users/{user}/appearance", body: { theme_preference: "dark", terminal_font: "fira-code" }, owner: 200 },
  { method: "get", path: "/users/{user}/preferences", owner: 200 },
  { method: "put", path: "/users/{user}/preferences", body: { task_notification_alert_dismissed: true }, owner: 200 },
  // Only the key's own user may read a login type, owners included.
  { method: "get", path: "/users/{user}/login-type", owner: 403 },
  // Only the user may convert their own login type; this app has no OIDC provider, hence the member's 428.
  { method: "post", path: "/users/{user}/convert-login", body: { to_type: "oidc", password: "x" }, owner: 403, memberOnSelf: 428 },
  { method: "get", path: "/users/{user}/gitsshkey", owner: 200 },
  { method: "put", path: "/users/{user}/gitsshkey", owner: 200 },
  { method: "get", path: "/users/{user}/autofill-parameters", query: `template_id=${TEMPLATE_ID}`, owner: 200 },
  { method: "get", path: "/users/{user}/notifications/preferences", owner: 200 },
  {
    method: "put",
    path: "/users/{user}/notifications/preferences",
    body: { template_disabled_map: { "4e19c0ac-94e1-4532-9515-d1801aa283b2": true } },
    owner: 200,
  },
  { method: "get", path: "/users/{user}/organizations", owner: 200 },
  { method: "get", path: "/users/{user}/quiet-hours", owner: 200 },
  { method: "put", path: "/users/{user}/quiet-hours", body: { schedule: "CRON_TZ=Europe/Paris 30 2 * * *" }, owner: 200 },
  // The DELETE removes what the POST stored.
  { method: "post", path: "/users/{user}/webpush/subscription", body: PUSH, owner: 204 },
  { method: "delete", path: "/users/{user}/webpush/subscription", body: { endpoint: PUSH.endpoint }, owner: 204 },
  { method: "get", path: "/users/{user}/organizations/{organizationname}", owner: 200 },
  // Keys: the owner acts on the target's named token (created by the POST row) and login session.
  { method: "post", path: "/users/{user}/keys", owner: 201 },
  { method: "get", path: "/users/{user}/keys/tokens", owner: 200 },
  { method: "post", path: "/users/{user}/keys/tokens", body: { token_name: "authz-token" }, owner: 201 },
  { method: "get", path: "/users/{user}/keys/tokens/tokenconfig", owner: 200 },
  { method: "get", path: "/users/{user}/keys/tokens/{keyname}", owner: 200 },
  { method: "patch", path: "/users/{user}/keys/tokens/{keyname}", body: { allow_list: [] }, owner: 200 },
  { method: "get", path: "/users/{user}/keys/{keyid}", owner: 200 },
  { method: "put", path: "/users/{user}/keys/{keyid}/expire", owner: 204 },
  { method: "delete", path: "/users/{user}/keys/{keyid}", owner: 204 },
  { method: "get", path: "/users/{user}/roles", owner: 200 },
  { method: "put", path: "/users/{user}/roles", body: { roles: ["auditor"] }, owner: 200, memberOnSelf: 400 },
  { method: "put", path: "/users/{user}/profile", body: { username: "{username}-x", name: "Renamed" }, owner: 200, memberOnSelf: 404 },
  { method: "put", path: "/users/{user}/password", body: { password: "Another-Secure-Passw0rd!" }, owner: 204, memberOnSelf: 400 },
  { method: "put", path: "/users/{user}/status/suspend", owner: 200, memberOnSelf: 400 },
  { method: "put", path: "/users/{user}/status/activate", owner: 200, memberOnSelf: 403 },
  { method: "delete", path: "/users/{user}", owner: 200, memberOnSelf: 403 },
];

const userRoutesInDocument = () => operationsInDocument((path) => path.startsWith("/api/v2/users/{user}"));

function url(route: RouteCase, user: AddedUser | { username: string }, asParam: string): string {
  // {keyid}: the target's login session, whose id is the `jti` of its token.
  const keyId = "token" in user && user.token ? (decodeJwt(user.token).jti as string) : "nonexistent";
  const path = route.path
    .replace("{user}", asParam)
    .replace("{organizationname}", "coder")
    .replace("{keyname}", "authz-token")
    .replace("{keyid}", keyId);
  return `/api/v2${path}${route.query ? `?${route.query}` : ""}`;
}

function body(route: RouteCase, target: { username: string }): unknown {
  return route.body === undefined ? undefined : JSON.parse(JSON.stringify(route.body).replace("{username}", target.username));
}

const { app, owner } = useTestApp({ owner: true });
let { member, other, forged, revoked } = {} as Cast;
/** An owner token whose allow list names only `member`: it must not reach `other`. */
let scopedElsewhere: string;

beforeAll(async () => {
  ({ member, other, forged, revoked } = await startCast(app, owner));
  scopedElsewhere = (await createToken(app, owner.token, { token_name: "member-only", allow_list: [{ type: "user", id: member.id }] })).key;
});

/** `route` on the other user, by id, with `token`. */
const asCallerOnOther = (route: RouteCase, token: string) =>
  app.request(url(route, other, other.id), { method: route.method.toUpperCase(), token, json: body(route, other) });

describe("authorization on every /users/{user} route", () => {
  it(`covers every {user} route the app serves (${ROUTES.length} routes)`, () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(userRoutesInDocument());
  });

  it.each(ROUTES)("$method $path: no token → 401", async (route) => {
    const res = await app.request(url(route, member, member.username), { method: route.method.toUpperCase(), json: body(route, member) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out") });
  });

  it.each(ROUTES)("$method $path: forged token → 401", async (route) => {
    const res = await asCallerOnOther(route, forged);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out") });
  });

  it.each(ROUTES)("$method $path: revoked key → 401", async (route) => {
    const res = await asCallerOnOther(route, revoked);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("signed out"), detail: "API key is invalid." });
  });

  it.each(ROUTES)("$method $path: owner token scoped to another user → 404", async (route) => {
    const res = await asCallerOnOther(route, scopedElsewhere);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  it.each(ROUTES)("$method $path: member on another user → 404", async (route) => {
    const res = await asCallerOnOther(route, member.token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Resource not found or you do not have access to this resource" });
  });

  it.each(ROUTES.filter((r) => r.memberOnSelf !== undefined))("$method $path: member on themselves → $memberOnSelf", async (route) => {
    const res = await app.request(url(route, member, "me"), {
      method: route.method.toUpperCase(),
      token: member.token,
      json: body(route, member),
    });
    expect(res.status).toBe(route.memberOnSelf);
    const text = await res.text();
    expect(text).not.toMatch(/argon2|PRIVATE KEY/);
  });

  // Sequential: the later routes change the target (password, suspension, deletion).
  it.each(ROUTES)("$method $path: owner on a member → $owner", async (route) => {
    const target = other;
    const res = await app.request(url(route, target, target.username), {
      method: route.method.toUpperCase(),
      token: owner.token,
      json: body(route, target),
    });
    expect(res.status, await res.clone().text()).toBe(route.owner);
    if (route.path.endsWith("/profile")) target.username = `${target.username}-x`;
  });
});
