// The one way to declare a route: `defineRoute("get", "/users/{user}", "Get user by name", { auth, … })`:
// the method, path and summary as Coder's swagger names them, then who may call it (`auth`), what it reads
// (`params`, `query`, `body`), its own checks and its answers (`ok(Schema)` and friends, at the end). The
// helper adds what every route of that kind repeats: the security scheme, the middleware that loads `actor`
// and `target`, the `{user}` parameter, Coder's JSON body reader and the error responses that kind of route
// can give. The OpenAPI document is built from the
// result, and the authorization and audit suites are derived from that document, so a route declared here
// is covered by them without being listed anywhere else.
import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { requireActor } from "../auth/session.ts";
import type { ActorEnv, AppEnv, TargetEnv } from "../deps.ts";
import { UserParam, withTargetUser } from "../users/target.ts";
import type { TargetRead } from "../users/target-reads.ts";
import { errorResponses } from "./errors.ts";
import { decodeJsonBody, jsonBody } from "./validation.ts";

/**
 * Who may call a route:
 * - `public`: anyone; no token is read.
 * - `session`: a valid session or API key (401 otherwise); the handler gets `actor`.
 * - `user-target`: also a `{user}` in the path the caller can see (404 otherwise); the handler gets `target`.
 */
export type Auth = "public" | "session" | "user-target";

/** What the handler's context holds for each kind of route. */
export type AuthEnv<A extends Auth> = A extends "user-target" ? TargetEnv : A extends "session" ? ActorEnv : AppEnv;

// biome-ignore lint/suspicious/noExplicitAny: a middleware of any env, the bound @hono/zod-openapi itself uses.
type AnyMiddleware = MiddlewareHandler<any, any, any>;
type Nothing = Record<never, never>;
type RequestParts = NonNullable<RouteConfig["request"]>;
type ParamSchema = NonNullable<RequestParts["params"]>;
type QuerySchema = NonNullable<RequestParts["query"]>;
type Method = "get" | "post" | "put" | "delete" | "patch";

// The types below mirror what defineRoute builds, so @hono/zod-openapi infers the handler's env (from the
// middleware tuple), its validated input (from `request`) and its typed responses exactly as for a route
// written out by hand.
type AuthChain<A> = A extends "user-target"
  ? [MiddlewareHandler<ActorEnv>, MiddlewareHandler<TargetEnv>]
  : A extends "session"
    ? [MiddlewareHandler<ActorEnv>]
    : [];
type BodyChain<B, D extends AnyMiddleware[]> = B extends z.ZodType ? [MiddlewareHandler<AppEnv>, ...D] : [];
type ParamsPart<A, P> = P extends z.ZodType ? { params: P } : A extends "user-target" ? { params: typeof UserParam } : Nothing;
type QueryPart<Q> = Q extends z.ZodType ? { query: Q } : Nothing;
type BodyPart<B> = B extends z.ZodType ? ReturnType<typeof jsonBody<B>> : Nothing;
type ErrorEntry = ReturnType<typeof errorResponses>[number];
/** The error statuses the helper adds: 401 when signed in, 404 with `{user}`, 400 with a body. */
type PresetStatus<A, B> =
  | (A extends "public" ? never : 401)
  | (A extends "user-target" ? 404 : never)
  | (B extends z.ZodType ? 400 : never);
// Listed status by status (not as an index signature), so a success entry such as 204 keeps its own type.
type ErrorEntries<R, S extends number> = { [K in Exclude<S, keyof R>]: ErrorEntry };

export interface RouteSpec<
  A extends Auth,
  P extends ParamSchema | undefined,
  Q extends QuerySchema | undefined,
  B extends z.ZodType | undefined,
  M extends AnyMiddleware[],
  D extends AnyMiddleware[],
  R extends RouteConfig["responses"],
  E extends ContentfulStatusCode,
> {
  /** Coder's swagger tag; most of this API is "Users", the default. */
  tags?: string[];
  auth: A;
  /** Path parameters; `user-target` routes default to `{user}` alone, and a schema given here must extend UserParam. */
  params?: P;
  query?: Q;
  /** A JSON body: read as Coder reads it (decodeJsonBody) and validated against this schema. */
  body?: B;
  /**
   * The route's own checks, run after `actor` and `target` are loaded and before the body is read, in the
   * order given: a refusal must not depend on (or reveal anything about) the body.
   */
  middleware?: [...M];
  /**
   * Reads of the target user the handler makes with `readTarget` (src/users/target-reads.ts): on a GET of
   * `/users/me/...` they start beside the session's actor query, so on Workers both take one round trip.
   */
  alongside?: TargetRead<unknown>[];
  /** Checks of the raw body that run after it is decoded and before the schema validates it. */
  bodyMiddleware?: [...D];
  /** Query parameters documented by hand (read with queryParams in src/http/validation.ts). */
  parameters?: RouteConfig["parameters"];
  /** The success responses; the error responses are added from `auth`, `body` and `errors`. */
  responses: R;
  /** Error statuses beyond those the helper adds (401 when signed in, 404 with `{user}`, 400 with a body). */
  errors?: E[];
}

export type DefinedRoute<
  Me extends Method,
  Pa extends string,
  A,
  P,
  Q,
  B,
  M extends AnyMiddleware[],
  D extends AnyMiddleware[],
  R,
  E extends number,
> = {
  method: Me;
  path: Pa;
  tags: string[];
  summary: string;
  security?: RouteConfig["security"];
  parameters?: RouteConfig["parameters"];
  middleware: [...AuthChain<A>, ...M, ...BodyChain<B, D>];
  request: ParamsPart<A, P> & QueryPart<Q> & BodyPart<B>;
  responses: R & ErrorEntries<R, E | PresetStatus<A, B>>;
};

export function defineRoute<
  Me extends Method,
  Pa extends string,
  A extends Auth,
  P extends ParamSchema | undefined = undefined,
  Q extends QuerySchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  M extends MiddlewareHandler<AuthEnv<A>>[] = [],
  D extends AnyMiddleware[] = [],
  R extends RouteConfig["responses"] = RouteConfig["responses"],
  E extends ContentfulStatusCode = never,
>(method: Me, path: Pa, summary: string, spec: RouteSpec<A, P, Q, B, M, D, R, E>): DefinedRoute<Me, Pa, A, P, Q, B, M, D, R, E> {
  const { tags = ["Users"], auth, params, query, body, middleware = [], alongside = [], bodyMiddleware = [] } = spec;
  const { parameters, responses, errors = [] } = spec;
  const signedIn = auth !== "public";
  const targeted = auth === "user-target";
  if (targeted !== path.includes("{user}")) {
    throw new Error(`${path}: a route has a {user} parameter exactly when its auth is "user-target"`);
  }
  if (bodyMiddleware.length > 0 && !body) throw new Error(`${path}: bodyMiddleware without a body`);
  // A read started before any check must be one the route makes anyway, with nothing else in flight: a
  // GET's, never inside a write's transaction.
  if (alongside.length > 0 && !(targeted && method === "get")) throw new Error(`${path}: alongside reads are for GET {user} routes`);

  const chain: AnyMiddleware[] = [];
  if (signedIn) chain.push(requireActor(alongside));
  if (targeted) chain.push(withTargetUser());
  chain.push(...middleware);
  if (body) chain.push(decodeJsonBody(), ...bodyMiddleware);

  const request = {
    ...(params ? { params } : targeted ? { params: UserParam } : {}),
    ...(query ? { query } : {}),
    ...(body ? jsonBody(body) : {}),
  };
  const statuses = new Set<ContentfulStatusCode>(errors);
  if (signedIn) statuses.add(401);
  if (targeted) statuses.add(404);
  if (body) statuses.add(400);

  // Keys in the order the routes used to write them by hand, so the generated document does not move.
  const config: RouteConfig = {
    method,
    path,
    tags,
    summary,
    // The scheme registered in src/app.ts: the session token, however the request carries it.
    ...(signedIn ? { security: [{ CoderSessionToken: [] }] } : {}),
    ...(chain.length > 0 ? { middleware: chain } : {}),
    ...(Object.keys(request).length > 0 ? { request } : {}),
    ...(parameters ? { parameters } : {}),
    responses: { ...errorResponses(...statuses), ...responses },
  };
  // The built value is what DefinedRoute describes; TypeScript cannot follow the conditional spreads.
  return createRoute(config) as unknown as DefinedRoute<Me, Pa, A, P, Q, B, M, D, R, E>;
}

// The success answers, as Coder's swagger words them: `responses: ok(UserSchema)`.
const jsonAnswer = <S extends z.ZodType>(description: string, schema: S) => ({ description, content: { "application/json": { schema } } });
export const ok = <S extends z.ZodType>(schema: S) => ({ 200: jsonAnswer("OK", schema) });
export const created = <S extends z.ZodType>(schema: S) => ({ 201: jsonAnswer("Created", schema) });
export const noContent = () => ({ 204: { description: "No Content" } });
