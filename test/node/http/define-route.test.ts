// defineRoute presets what a route's kind implies, and its types give the handler `actor` and `target`
// exactly when the route loads them. The type assertions are checked by `npm run typecheck`.
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { Actor } from "../../../src/auth/actor.ts";
import { defineRoute, noContent } from "../../../src/http/define-route.ts";
import { newRouter } from "../../../src/http/router.ts";
import { mayCreateKey } from "../../../src/keys/guards.ts";
import { KeyParams } from "../../../src/keys/key-param.ts";
import type { UserWithOrgs } from "../../../src/users/queries.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

const Body = z.object({ name: z.string() });
const ok = { 200: { description: "OK", content: { "application/json": { schema: Body } } } };
const names = (route: { middleware?: unknown }) => (route.middleware as Array<{ name: string }>).map((m) => m.name);

describe("defineRoute", () => {
  it("presets the actor, target, body reader, {user} and error responses of a user route", () => {
    const route = defineRoute("post", "/users/{user}/keys/{keyid}", "Example", {
      auth: "user-target",
      params: KeyParams,
      body: Body,
      middleware: [mayCreateKey()],
      errors: [403],
      responses: ok,
    });
    expect(route.security).toEqual([{ CoderSessionToken: [] }]);
    // The route's own checks run after the target is loaded and before the body is read.
    expect(names(route)).toEqual(["requireActor", "withTargetUser", "mayCreateKey", "decodeJsonBody"]);
    expect(Object.keys(route.responses)).toEqual(["200", "400", "401", "403", "404"]);
    expect(route.request.params).toBe(KeyParams);
    expect(route.request.body.content["application/json"].schema).toBe(Body);

    newRouter().openapi(route, (c) => {
      const actor = c.get("actor");
      const target = c.get("target");
      const body = c.req.valid("json");
      const params = c.req.valid("param");
      assertType<Equal<typeof actor, Actor>>();
      assertType<Equal<typeof target, UserWithOrgs>>();
      assertType<Equal<typeof body, { name: string }>>();
      assertType<Equal<typeof params, { user: string; keyid: string }>>();
      return c.json(body, 200);
    });
  });

  it("gives a session route the actor and 401 only, and a public route neither", () => {
    const session = defineRoute("get", "/users/x", "", { tags: [], auth: "session", responses: ok });
    expect(session.security).toEqual([{ CoderSessionToken: [] }]);
    expect(names(session)).toEqual(["requireActor"]);
    expect(Object.keys(session.responses)).toEqual(["200", "401"]);
    newRouter().openapi(session, (c) => {
      const actor = c.get("actor");
      const target = c.get("target");
      assertType<Equal<typeof actor, Actor>>();
      assertType<Equal<typeof target, UserWithOrgs | undefined>>();
      return c.json({ name: actor.user.username }, 200);
    });

    const open = defineRoute("get", "/users/y", "", { tags: [], auth: "public", responses: noContent() });
    expect(open).not.toHaveProperty("security");
    expect(open).not.toHaveProperty("middleware");
    expect(open).not.toHaveProperty("request");
    expect(Object.keys(open.responses)).toEqual(["204"]);
    newRouter().openapi(open, (c) => {
      const actor = c.get("actor");
      assertType<Equal<typeof actor, Actor | undefined>>();
      return c.body(null, 204);
    });
  });

  it("refuses a {user} path on a route that does not load the target, and the reverse", () => {
    expect(() => defineRoute("get", "/users/{user}", "", { tags: [], auth: "session", responses: ok })).toThrow(/\{user\}/);
    expect(() => defineRoute("get", "/users/me", "", { tags: [], auth: "user-target", responses: ok })).toThrow(/\{user\}/);
    // A check that reads the target does not compile on a route without one.
    // @ts-expect-error mayCreateKey needs TargetEnv
    defineRoute("get", "/users/z", "", { tags: [], auth: "session", middleware: [mayCreateKey()], responses: ok });
  });

  it("takes reads to start beside the actor query only on a GET of a {user} route", () => {
    // Started before any check, such a read must be one with no effect, outside any write's transaction.
    const read = async () => [];
    const user = "/users/{user}/widgets";
    expect(() => defineRoute("get", user, "", { tags: [], auth: "user-target", alongside: [read], responses: ok })).not.toThrow();
    expect(() => defineRoute("put", user, "", { tags: [], auth: "user-target", alongside: [read], responses: ok })).toThrow(/alongside/);
    expect(() => defineRoute("get", "/users/widgets", "", { tags: [], auth: "session", alongside: [read], responses: ok })).toThrow(
      /alongside/,
    );
  });
});
