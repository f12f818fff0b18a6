// Another service accepting Gatehouse tokens without calling Gatehouse: each token is checked against
// Gatehouse's public keys (GET /.well-known/jwks.json), fetched once and cached. The same Hono app runs on
// Node (node.ts) and on Workers (worker.ts). Only hono and jose are needed.
//
// What this proves: Gatehouse issued the token (signature, `iss`), for this audience (`aud`: the tenant),
// and it has not expired. What it cannot see: a logout or a deleted key before the token's `exp`. A service
// that needs revocation calls Gatehouse's GET /api/v2/users/me with the token instead.
import { Hono } from "hono";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";

export interface DownstreamOptions {
  /** Gatehouse's CODER_ACCESS_URL: every token's `iss`. */
  issuer: string;
  /** Every token's `aud`: Gatehouse's TENANT_ID when it sets one, else its access URL (the default). */
  audience?: string;
  /** Where the keys are published; defaults to `<issuer>/.well-known/jwks.json`. */
  jwksUrl?: string;
  /**
   * How long fetched keys are trusted before they are fetched again: the longest a key removed from
   * Gatehouse keeps verifying here. Default 5 minutes, Gatehouse's own Cache-Control on the JWKS.
   */
  cacheMaxAgeMs?: number;
  /**
   * The least time between two fetches caused by a token whose `kid` is unknown (a key just added by a
   * rotation). Bounds how often forged `kid`s can make this service call Gatehouse. Default 30 seconds.
   */
  cooldownMs?: number;
}

/** Who the token speaks for, from its claims. */
export interface GatehouseUser {
  user_id: string;
  key_id: string;
  scopes: string[];
  expires_at: string;
}

type Env = { Variables: { user: GatehouseUser } };

/** Coder's error body, as Gatehouse answers, so one client can read both services' errors. */
const unauthorized = (detail: string) => ({
  message: "You are signed out or your session has expired. Please sign in again to continue.",
  detail,
});

function tokenFrom(headers: Headers): string | undefined {
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return bearer?.[1] ?? (headers.get("coder-session-token") || undefined);
}

export function createDownstream(options: DownstreamOptions) {
  const issuer = options.issuer.replace(/\/+$/, "");
  const audience = options.audience ?? issuer;
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl ?? `${issuer}/.well-known/jwks.json`), {
    cacheMaxAge: options.cacheMaxAgeMs ?? 300_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    timeoutDuration: 5_000,
  });

  const app = new Hono<Env>();

  app.use("/api/*", async function gatehouseToken(c, next) {
    const token = tokenFrom(c.req.raw.headers);
    if (!token) return c.json(unauthorized("No Gatehouse token: send Authorization: Bearer <token>."), 401);
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ["EdDSA"], requiredClaims: ["sub", "jti", "exp"] });
      const scopes = Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === "string") : [];
      c.set("user", { user_id: payload.sub!, key_id: payload.jti!, scopes, expires_at: new Date(payload.exp! * 1000).toISOString() });
    } catch (err) {
      // A network failure (fetch's TypeError), a timeout, or an answer that is not a key set.
      const keysUnavailable =
        err instanceof TypeError ||
        err instanceof errors.JWKSTimeout ||
        err instanceof errors.JWKSInvalid ||
        (err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC");
      if (keysUnavailable) {
        // Gatehouse's keys could not be fetched: not the caller's fault, and not a reason to let them in.
        return c.json({ message: "Token verification is unavailable.", detail: "Gatehouse's keys could not be fetched." }, 503);
      }
      if (err instanceof errors.JWTExpired) return c.json(unauthorized("The token has expired."), 401);
      // Unknown key (never Gatehouse's, or rotated out), bad signature, other issuer or tenant, malformed.
      return c.json(unauthorized("The token is not valid here."), 401);
    }
    await next();
  });

  /** Example of a protected route: who is calling. */
  app.get("/api/whoami", (c) => c.json(c.get("user")));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.notFound((c) => c.json({ message: "Route not found." }, 404));
  return app;
}
