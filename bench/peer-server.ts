// The peer's server in `npm run bench`: better-auth (bench/peer-auth.ts) on @hono/node-server, as its Hono
// integration guide mounts it (better-auth.com/docs/integrations/hono): its handler on /api/auth/*, and a
// protected route that asks `auth.api.getSession` for the caller, the way an app built on it checks a
// session. Same runtime, same Postgres server and the same pool size as Gatehouse (src/db/postgres.ts).
//   GET  /me                   the session check: 200 with the user, 401 without a session
//   *    /api/auth/*           better-auth's own endpoints (sign-in/email, sign-out, ...)
//   GET  /__bench/queries      statements sent, RSS and CPU (bench/metrics.ts), as the Gatehouse server answers
// Environment: DATABASE_URL (migrated by the bench), PORT, PEER_URL, BETTER_AUTH_SECRET, PEER_COOKIE_CACHE=1.
import { Hono } from "hono";
import pg from "pg";
import { QueryCounter } from "../src/db/index.ts";
import { serveWithBenchMetrics } from "./metrics.ts";
import { peerAuth } from "./peer-auth.ts";

const env = process.env;
const queries = new QueryCounter();

// Every statement better-auth sends goes through a pg Client's `query` (Kysely's PostgresDriver calls it
// with the SQL and its parameters): counted here, the way the Gatehouse server counts through Drizzle's logger.
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  const [text, values] = args;
  const query = typeof text === "string" ? text : String((text as { text?: string })?.text ?? "");
  queries.logQuery(query, Array.isArray(values) ? values : []);
  return clientQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10, keepAlive: true });
const auth = peerAuth(pool, {
  baseURL: env.PEER_URL!,
  secret: env.BETTER_AUTH_SECRET!,
  cookieCache: env.PEER_COOKIE_CACHE === "1",
});

const app = new Hono();
app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
app.get("/me", async (c) => {
  const session = await auth.api.getSession({ headers: c.req.raw.headers });
  if (!session) return c.json({ message: "unauthorized" }, 401);
  return c.json(session.user);
});

serveWithBenchMetrics(
  (req: Request) => app.fetch(req),
  queries,
  () => pool.end(),
);
