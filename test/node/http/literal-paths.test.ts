// Every literal path under /users/ (`/users/roles`, `/users/otp/request`, …) is served by its own route, never by
// a `/users/{user}` route reading the segment as a username: GET /users/roles once answered the 404 of a user
// named "roles". The paths come from the OpenAPI document, so a literal route added later is checked without
// being listed here.
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import { API, json, NOT_FOUND, send, useTestApp } from "../../support/harness.ts";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

/** `[METHOD, /api/v2/users/…]` for every documented operation whose segment after /users/ is not a parameter. */
function literalUserOperations(): [string, string][] {
  const doc = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "t" } });
  const out: [string, string][] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const segment = /^\/api\/v2\/users\/([^/]+)/.exec(path)?.[1];
    if (segment === undefined || segment.includes("{")) continue;
    for (const method of METHODS) if ((item as Record<string, unknown>)[method]) out.push([method.toUpperCase(), path]);
  }
  return out.sort();
}

/**
 * The path of the route that answers: the first route the router matches that is registered for this method.
 * Handlers run in registration order and every endpoint is registered per method; `ALL` entries are
 * middleware (logging, rate limits) that pass the request on.
 */
function answeringRoute(app: ReturnType<typeof createApp>, method: string, path: string): string | undefined {
  const [matched] = app.router.match(method, path);
  return matched.map(([[, route]]) => route).find((route) => route.method === method)?.path;
}

const OPERATIONS = literalUserOperations();
const { app, owner } = useTestApp({ owner: true });

describe("literal paths under /users/ are never read as a username", () => {
  it("finds the literal paths in the OpenAPI document, /users/roles among them", () => {
    expect(OPERATIONS).toContainEqual(["GET", "/api/v2/users/roles"]);
    expect(OPERATIONS).toContainEqual(["POST", "/api/v2/users/first"]);
    expect(OPERATIONS.length).toBeGreaterThan(10);
  });

  it("the check itself sees a username answered by /users/{user}", () => {
    expect(answeringRoute(createApp(), "GET", `${API}/users/somebody`)).toBe(`${API}/users/:user`);
  });

  it.each(OPERATIONS)("%s %s is answered by its own route", (method, path) => {
    expect(answeringRoute(createApp(), method, path)).toBe(path);
  });

  // The same through a request: with an owner's session no literal GET answers the 404 of an unknown user.
  it.each(OPERATIONS.filter(([method]) => method === "GET"))("%s %s is not the 404 of a user of that name", async (_method, path) => {
    const res = await send(app, "GET", path.slice(API.length), owner.token);
    if (res.status === 404) expect(await json(res)).not.toEqual(NOT_FOUND);
  });
});
