// Probes for load balancers and deploy pipelines. /healthz answers from memory: the process (or isolate)
// is up. /readyz asks the database: reachable and migrated at least to this build's schema. Neither needs
// a token, and neither says more than a probe needs (no host names, no driver errors in the body).
import { z } from "@hono/zod-openapi";
import { behindBody, schemaStatus, type SchemaStatus } from "../db/schema-version.ts";
import { defineRoute, ok } from "../http/define-route.ts";
import { ApiError, apiError } from "../http/errors.ts";
import { describeError, logLine } from "../http/logging.ts";
import type { Router } from "../http/router.ts";

/** A probe that hangs is worse than one that fails: a stuck connection answers 503 after this long. */
const READY_TIMEOUT_MS = 5_000;

const Health = z.object({ status: z.literal("ok") }).openapi("HealthResponse");
const Ready = z.object({ status: z.literal("ready"), migration: z.string() }).openapi("ReadyResponse");

const healthz = defineRoute("get", "/healthz", "Liveness: the process is up (no database work)", {
  tags: ["General"],
  auth: "public",
  responses: ok(Health),
});

const readyz = defineRoute("get", "/readyz", "Readiness: the database is reachable and migrated", {
  tags: ["General"],
  auth: "public",
  errors: [503],
  responses: { 200: { description: "Ready", content: { "application/json": { schema: Ready } } } },
});

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const getHealth = (app: Router) => {
  app.openapi(healthz, (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" as const }, 200);
  });
  app.openapi(readyz, async (c) => {
    c.header("Cache-Control", "no-store");
    let status: SchemaStatus;
    try {
      status = await withTimeout(schemaStatus(c.env.deps.db), READY_TIMEOUT_MS);
    } catch (err) {
      logLine("error", "readiness check: database unreachable", { request_id: c.get("requestId"), error: describeError(err) });
      throw apiError(503, "The database is unreachable.");
    }
    if (status.state === "behind") throw new ApiError(503, behindBody(status));
    return c.json({ status: "ready" as const, migration: status.applied }, 200);
  });
};
