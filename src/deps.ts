// Everything a request needs from the outside world, built by each entry point (server.ts, worker.ts,
// tests) and handed to the app per request through the `deps` binding.
import type { Config } from "./config.ts";
import type { Db } from "./db/index.ts";
import type { Hasher } from "./auth/hasher.ts";
import type { TokenService } from "./auth/tokens.ts";

export interface Deps {
  config: Config;
  db: Db;
  hasher: Hasher;
  tokens: TokenService;
  now: () => Date;
  /**
   * Runs work after the response (Workers: waitUntil). Used for bookkeeping writes, such as last-used
   * stamps, that must not add a round trip to the request. The task is a function of the entry point's own
   * database handle, never the request's: a request may run inside a transaction (src/audit/middleware.ts)
   * that has ended by the time the task runs, and the task must not start before that transaction commits.
   */
  defer: (task: DeferredTask) => void;
  /** Workers Rate Limiting bindings, where the worker is configured with them (src/security/). */
  rateLimiters?: { api?: RateLimitBinding | undefined; login?: RateLimitBinding | undefined };
  /** Workers static assets (wrangler.toml `[assets]`): the console's and the docs UI's files (src/pages/, src/docs/). Unset on Node. */
  assets?: AssetsBinding | undefined;
}

/** The interface of the Workers static assets binding. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/** Work left for after the response, given the database handle to run on. */
export type DeferredTask = (db: Db) => PromiseLike<unknown>;

/** The interface of a Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export interface AppEnv {
  Bindings: { deps: Deps; clientIp?: string };
  Variables: {
    /**
     * The signed-in caller, set by requireActor (src/auth/session.ts). Optional here because middleware that
     * runs on every request (audit, logging, rate limits) also sees requests without one; a route that loads
     * it sees it as present through ActorEnv.
     */
    actor?: import("./auth/actor.ts").Actor;
    /** The resolved `{user}` of /users/{user}/... routes, set by withTargetUser (src/users/target.ts). */
    target?: import("./users/queries.ts").UserWithOrgs;
    requestId: string;
    /**
     * The request's JSON body, parsed once and accepted by src/security/input.ts (no NUL, no unpaired
     * surrogate, bounded depth); unset when there is none or it is not JSON.
     */
    jsonBody: unknown;
    /** What an audited handler created or signed in, for its audit row (audit/facts.ts). */
    auditFacts?: import("./audit/facts.ts").AuditFacts;
    /** The request's token and its cryptographic check, once per request (auth/session.ts). */
    tokenCheck: Promise<{ token: string; result: import("./auth/tokens.ts").VerifyResult } | undefined>;
  };
}

/** The env after requireActor: `actor` is set. */
export type ActorEnv = AppEnv & { Variables: { actor: import("./auth/actor.ts").Actor } };

/** The env after withTargetUser: `actor` and the `{user}` it resolved, `target`, are set. */
export type TargetEnv = ActorEnv & { Variables: { target: import("./users/queries.ts").UserWithOrgs } };
