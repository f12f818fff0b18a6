// The one Hono app: middleware, the error handler, and every route. Entry points (server.ts, worker.ts,
// tests) pass their dependencies per request as the `deps` binding: `app.fetch(req, { deps })`.
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { mountAudit, mountAuditedTransactions } from "./audit/index.ts";
import type { AppEnv } from "./deps.ts";
import { mountDocs } from "./docs/index.ts";
import { ApiError, apiError, errorBody } from "./http/errors.ts";
import { responseHeaders } from "./http/headers.ts";
import { describeError, logLine, requestLog } from "./http/logging.ts";
import { newRouter } from "./http/router.ts";
import { mountKeys } from "./keys/index.ts";
import { getBuildInfo } from "./meta/buildinfo.ts";
import { getHealth } from "./meta/health.ts";
import { getJwks } from "./meta/jwks.ts";
import { mountPages } from "./pages/index.ts";
import { mountSignInFailurePages } from "./pages/sign-in-failures.ts";
import { csrfGuard } from "./security/csrf.ts";
import { readRequestInput } from "./security/input.ts";
import { apiRateLimit } from "./security/api-rate-limit.ts";
import { mountRateLimits } from "./security/rate-limit.ts";
import { mountUsers } from "./users/index.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
const OPENAPI_PATH = "/api/v2/openapi.json";

function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(err.body, err.status);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (malformed JSON slipping past decodeJsonBody, bad cookies) in Coder's shape.
    const message = /json/i.test(err.message) ? "Request body must be valid JSON." : err.message || "Bad request.";
    return c.json(errorBody(message), err.status);
  }
  // Answer without internals (no stack, no SQL, no secrets). The cause is logged with the request id: on the
  // request's own line when request logging is on (src/http/logging.ts), on a line of its own otherwise.
  if (!c.env.deps.config.logRequests) {
    logLine("error", "unhandled error", { request_id: c.get("requestId"), error: describeError(err) });
  }
  return c.json(errorBody("An internal server error occurred."), 500);
}

export function createApp() {
  const app = newRouter();
  // First, so its duration covers every other middleware and the error handler.
  app.use(requestLog());
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(responseHeaders());
  const tooLarge = () => apiError(413, "Request body too large.", `The request body must be at most ${MAX_BODY_BYTES} bytes.`);
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  app.use(function bodyLimitUnlessBodiless(c, next) {
    // A GET or HEAD request has no body in the Fetch API, so there is nothing to limit.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    // A declared length is checked from the header alone, as Hono's bodyLimit checks it, since the HTTP
    // parser (Node's, workerd's) never delivers more body than the length declares. Hono's middleware asks
    // for `raw.body` first, which on @hono/node-server builds a full Request and turns Node's request into
    // a web stream for every later read; answered here, the route reads the body straight from Node's
    // request (npm run bench, docs/performance.md). A chunked body is counted as it streams, by Hono's.
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return limitBody(c, next);
    if (Number.parseInt(length, 10) > MAX_BODY_BYTES) throw tooLarge();
    return next();
  });

  const api = newRouter();
  // Audit first, so it also records what the checks after it refuse; the checks run before any route.
  mountAudit(api);
  api.use(csrfGuard());
  api.use(apiRateLimit());
  api.use(readRequestInput());
  mountRateLimits(api);
  mountAuditedTransactions(api);
  getBuildInfo(api);
  mountUsers(api);
  mountKeys(api);
  // Outside the API router, so its audit trail sees the real status: a failed provider sign-in sends a
  // browser to the sign-in page with the message instead of showing it JSON (src/pages/sign-in-failures.ts).
  mountSignInFailurePages(app);
  app.route("/api/v2", api);
  getJwks(app);
  getHealth(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "CoderSessionToken", {
    type: "apiKey",
    in: "header",
    name: "Coder-Session-Token",
  });
  app.doc31(OPENAPI_PATH, (c) => ({
    openapi: "3.1.0",
    info: { title: "Gatehouse: Coder Users API", version: c.env.deps.config.buildVersion },
    servers: [{ url: c.env.deps.config.accessUrl }],
  }));
  mountDocs(app, OPENAPI_PATH);
  // The console (src/pages/): pages for people, reading and writing through the API above.
  mountPages(app);

  app.notFound((c) => c.json(errorBody("Route not found."), 404));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
