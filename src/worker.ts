// Workers entry: Neon's serverless driver, single statements over HTTP on a handle built once per isolate and
// a Pool opened only by a request that runs a transaction (Workers forbid sharing I/O objects across
// requests), the WASM hasher, and keys
// from secrets. Bookkeeping writes deferred by the app run under waitUntil, and the pool closes after them.
// Before its first request an isolate checks that the database is migrated at least as far as this build's
// code (a deploy must never serve an older schema).
import { hasher } from "#hasher";
import { createApp } from "./app.ts";
import { parseSigningKeys } from "./auth/signing-keys.ts";
import { TokenService } from "./auth/tokens.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import type { Db } from "./db/index.ts";
import { openNeonHttp, requestHandle } from "./db/neon.ts";
import { behindBody, schemaStatus } from "./db/schema-version.ts";
import type { AssetsBinding, DeferredTask, Deps, RateLimitBinding } from "./deps.ts";
import { describeError, logLine, tenantOf } from "./http/logging.ts";
import { cloudflareClientIp } from "./security/client-ip.ts";

export interface WorkerEnv {
  DATABASE_URL?: string;
  SIGNING_KEYS?: string;
  /** Local development only: a loopback WebSocket-to-TCP proxy in front of a plain Postgres. */
  NEON_WS_PROXY?: string;
  /** Local development only: a loopback stand-in for Neon's SQL-over-HTTP endpoint (scripts/neon-http.ts). */
  NEON_HTTP_PROXY?: string;
  /** Static assets (wrangler.toml `[assets]`): the console's files and the docs UI's Swagger UI files. */
  ASSETS?: AssetsBinding;
  [name: string]: unknown;
}

const app = createApp();

const isRateLimitBinding = (v: unknown): v is RateLimitBinding => typeof (v as RateLimitBinding | undefined)?.limit === "function";

/** The Workers Rate Limiting bindings the worker was deployed with (wrangler.toml `[[ratelimits]]`), if any. */
function rateLimitersOf(env: WorkerEnv): Deps["rateLimiters"] {
  const api = isRateLimitBinding(env.API_RATE_LIMITER) ? env.API_RATE_LIMITER : undefined;
  const login = isRateLimitBinding(env.LOGIN_RATE_LIMITER) ? env.LOGIN_RATE_LIMITER : undefined;
  return api || login ? { api, login } : undefined;
}

type Setup = {
  config: Config;
  tokens: TokenService;
  databaseUrl: string;
  /** The isolate's HTTP database handle (src/db/neon.ts): each request adds only its own transaction Pool. */
  http: Db;
  rateLimiters: Deps["rateLimiters"];
  /**
   * Set once the database was found migrated. Schemas only move forward, so one good answer holds for the
   * isolate's life; until then every request asks again, so a deploy whose migrations land late recovers
   * by itself.
   */
  schemaChecked: boolean;
};
// Config, imported CryptoKeys and the HTTP database handle hold no I/O object: safe, and worth, keeping for
// the isolate's life. Keyed
// by the env object, which Workers keep stable per isolate (and tests vary to reach other databases).
const setups = new WeakMap<object, Promise<Setup>>();

function setupFor(env: WorkerEnv): Promise<Setup> {
  let setup = setups.get(env);
  if (!setup) {
    setup = buildSetup(env);
    setups.set(env, setup);
    // A failed setup (bad configuration) is retried on the next request rather than cached.
    setup.catch(() => setups.delete(env));
  }
  return setup;
}

async function buildSetup(env: WorkerEnv) {
  const strings = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
  const config = loadConfig(strings);
  if (!config.databaseUrl) throw new ConfigError("DATABASE_URL is required on Workers");
  if (!config.signingKeys) throw new ConfigError("SIGNING_KEYS is required on Workers (see docs/deploying.md)");
  // A local setup with only the WebSocket proxy would send every single statement to Neon's endpoint for
  // the local host, failing each request with a 500 nobody could explain.
  if (env.NEON_WS_PROXY && !env.NEON_HTTP_PROXY) {
    throw new ConfigError(
      "NEON_WS_PROXY is set without NEON_HTTP_PROXY: set both for a local database, or neither (docs/configuration.md)",
    );
  }
  const tokens = await TokenService.create(parseSigningKeys(config.signingKeys), config.accessUrl, config.tokenAudience);
  const http = openNeonHttp(config.databaseUrl, { wsProxy: env.NEON_WS_PROXY, httpProxy: env.NEON_HTTP_PROXY });
  return { config, tokens, databaseUrl: config.databaseUrl, http, rateLimiters: rateLimitersOf(env), schemaChecked: false };
}

/** Probes answer for themselves: /healthz must not touch the database, /readyz reports the schema itself. */
const PROBES = new Set(["/healthz", "/readyz"]);

/** A Response when the database cannot serve this build (behind, or unreachable); undefined when it can. */
async function schemaGate(setup: Setup, db: Deps["db"]): Promise<Response | undefined> {
  try {
    const status = await schemaStatus(db);
    if (status.state === "current") {
      setup.schemaChecked = true;
      return undefined;
    }
    logLine("error", "database schema is behind this deployment", { tenant: tenantOf(setup.config), ...status });
    return Response.json(behindBody(status), { status: 503, headers: { "Retry-After": "30" } });
  } catch (err) {
    logLine("error", "schema check failed: database unreachable", { tenant: tenantOf(setup.config), error: describeError(err) });
    return Response.json({ message: "The database is unreachable." }, { status: 503, headers: { "Retry-After": "5" } });
  }
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let ready: Setup;
    try {
      ready = await setupFor(env);
    } catch (err) {
      // A misconfigured deployment says so, in Coder's shape; ConfigError messages never carry secrets.
      logLine("error", "configuration error", { error: describeError(err) });
      const detail = err instanceof ConfigError ? err.message : undefined;
      return Response.json({ message: "Gatehouse is not configured correctly.", ...(detail ? { detail } : {}) }, { status: 500 });
    }
    const { config, tokens, databaseUrl, rateLimiters } = ready;
    const neon = requestHandle(ready.http, databaseUrl, { wsProxy: env.NEON_WS_PROXY, httpProxy: env.NEON_HTTP_PROXY });
    const deferred: Promise<unknown>[] = [];
    // Deferred work fails after the response has gone: its log line is the only trace it leaves.
    const defer = (task: DeferredTask) =>
      void deferred.push(
        Promise.resolve()
          .then(() => task(neon.db))
          .catch((err) => logLine("error", "deferred task failed", { error: describeError(err) })),
      );
    const deps: Deps = { config, db: neon.db, hasher, tokens, now: () => new Date(), defer, rateLimiters, assets: env.ASSETS };
    try {
      if (!ready.schemaChecked && !PROBES.has(new URL(request.url).pathname)) {
        const refused = await schemaGate(ready, neon.db);
        if (refused) return refused;
      }
      // Cloudflare's own header, never X-Forwarded-For (which the client may have written): src/security/client-ip.ts.
      return await app.fetch(request, { deps, clientIp: cloudflareClientIp(request.headers) }, ctx);
    } finally {
      ctx.waitUntil(Promise.allSettled(deferred).then(() => neon.close()));
    }
  },
} satisfies ExportedHandler<WorkerEnv>;
