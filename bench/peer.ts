// The peer beside Gatehouse in `npm run bench`: better-auth in two server processes on the same Node and
// Postgres server (bench/peer-server.ts), one with database sessions and one with its cookie cache, on a
// database of their own whose tables better-auth's own migration API creates (getMigrations from
// better-auth/db/migration, what `npx @better-auth/cli migrate` runs). The bench user signs up through
// better-auth's API with the same email and password as Gatehouse's owner.
import { randomBytes } from "node:crypto";
import { getMigrations } from "better-auth/db/migration";
import pg from "pg";
import { createTestDatabase } from "../test/support/databases.ts";
import { BENCH_METRICS_PATH, type BenchMetrics } from "./metrics.ts";
import { COOKIE_CACHE_MAX_AGE_S, peerAuth } from "./peer-auth.ts";
import { freePort, nodeCommand, startChild, type Child } from "./processes.ts";
import { OWNER } from "./seed.ts";

export type PeerServer = "peer" | "peerCache";

export interface PeerCredentials {
  /** Cookie header of a session on the database-session server. */
  session: string;
  /** Cookie header of a session on the cookie-cache server: its session token and its signed cache cookie. */
  cached: string;
  /** The database-session cookie with its HMAC altered: the right shape, a wrong signature. */
  forged: string;
}

export interface Peer {
  origins: Record<PeerServer, string>;
  credentials: PeerCredentials;
  metrics(on: PeerServer): Promise<BenchMetrics>;
  /** A new session on `on`: its cookie header, from better-auth's own sign-in endpoint. */
  signIn(on: PeerServer): Promise<string>;
  /** Signs the session of `cookie` out on `on` (better-auth deletes its row). */
  signOut(on: PeerServer, cookie: string): Promise<void>;
  /** The session check's status for `cookie` on `on`. */
  check(on: PeerServer, cookie: string): Promise<number>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

async function metricsOf(origin: string): Promise<BenchMetrics> {
  const res = await fetch(origin + BENCH_METRICS_PATH, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${origin}${BENCH_METRICS_PATH}: ${res.status}`);
  return (await res.json()) as BenchMetrics;
}

/** The cookie header a browser would send back after `res`: every Set-Cookie's name=value. */
function cookieHeader(res: Response): string {
  // Headers.getSetCookie (undici, Node 22): each Set-Cookie apart; the project's DOM typings predate it.
  const headers = res.headers as Headers & { getSetCookie(): string[] };
  return headers
    .getSetCookie()
    .map((c: string) => c.split(";")[0]!)
    .filter((c: string) => !c.endsWith("="))
    .join("; ");
}

/** Flips one bit of the session token cookie's HMAC (better-call signs cookies as `value.base64(hmac)`). */
function forgeCookie(cookie: string): string {
  return cookie
    .split("; ")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      if (!name.endsWith("session_token")) return pair;
      const value = decodeURIComponent(pair.slice(eq + 1));
      const dot = value.lastIndexOf(".");
      const mac = Buffer.from(value.slice(dot + 1), "base64");
      mac[mac.length >> 1]! ^= 0x01;
      return `${name}=${encodeURIComponent(`${value.slice(0, dot)}.${mac.toString("base64")}`)}`;
    })
    .join("; ");
}

/** better-auth refuses a sign-in without an Origin (MISSING_OR_NULL_ORIGIN): a browser's form post sends one. */
export const signInHeaders = (origin: string) => ({ "content-type": "application/json", origin });
export const PEER_SIGN_IN_BODY = JSON.stringify({ email: OWNER.email, password: OWNER.password });

export async function startPeer(log: (msg: string) => void): Promise<Peer> {
  const database = await createTestDatabase("peer");
  const secret = randomBytes(32).toString("base64");
  const ports = { peer: await freePort(), peerCache: await freePort() };
  const origins = { peer: `http://127.0.0.1:${ports.peer}`, peerCache: `http://127.0.0.1:${ports.peerCache}` };

  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const auth = peerAuth(pool, { baseURL: origins.peer, secret, cookieCache: false });
    const { runMigrations, toBeCreated } = await getMigrations(auth.options);
    await runMigrations();
    log(`peer: better-auth created ${toBeCreated.map((t) => t.table).join(", ")}`);
    await auth.api.signUpEmail({ body: { email: OWNER.email, password: OWNER.password, name: OWNER.username } });
  } finally {
    await pool.end();
  }

  const children: Child[] = [];
  const start = (on: PeerServer) =>
    startChild({
      name: `better-auth (${on === "peer" ? "database sessions" : "cookie cache"})`,
      ...nodeCommand("bench/peer-server.ts"),
      env: {
        DATABASE_URL: database.url,
        PORT: String(ports[on]),
        PEER_URL: origins[on],
        BETTER_AUTH_SECRET: secret,
        PEER_COOKIE_CACHE: on === "peerCache" ? "1" : "0",
      },
      url: origins[on],
      readyUrl: origins[on] + BENCH_METRICS_PATH,
      readyTimeoutMs: 60_000,
    });
  try {
    children.push(await start("peer"), await start("peerCache"));
  } catch (err) {
    await Promise.allSettled(children.map((c) => c.stop()));
    await database.drop();
    throw err;
  }

  const signIn = async (on: PeerServer) => {
    const res = await fetch(`${origins[on]}/api/auth/sign-in/email`, {
      method: "POST",
      headers: signInHeaders(origins[on]),
      body: PEER_SIGN_IN_BODY,
    });
    if (res.status !== 200) throw new Error(`peer sign-in on ${on}: ${res.status} ${await res.text()}`);
    return cookieHeader(res);
  };
  const check = async (on: PeerServer, cookie: string) => {
    const res = await fetch(`${origins[on]}/me`, { headers: { cookie } });
    await res.arrayBuffer();
    return res.status;
  };
  const tearDown = async () => {
    await Promise.allSettled(children.map((c) => c.stop()));
    await database.drop();
  };
  let credentials: PeerCredentials;
  try {
    const session = await signIn("peer");
    const cached = await signIn("peerCache");
    if (!cached.includes("session_data=")) throw new Error(`peer: the cookie-cache server set no cache cookie (${cached})`);
    credentials = { session, cached, forged: forgeCookie(session) };
    for (const [on, cookie, want] of [
      ["peer", session, 200],
      ["peerCache", cached, 200],
      ["peer", credentials.forged, 401],
    ] as const) {
      const status = await check(on, cookie);
      if (status !== want) throw new Error(`peer: session check on ${on} answered ${status}, expected ${want}`);
    }
  } catch (err) {
    // Set up but unusable: its servers and database go with it (a bench used alone stops nothing else).
    await tearDown();
    throw err;
  }
  log(`peer: better-auth ready (cookie cache maxAge ${COOKIE_CACHE_MAX_AGE_S} s)`);

  return {
    origins,
    credentials,
    metrics: (on) => metricsOf(origins[on]),
    signIn,
    async signOut(on, cookie) {
      // A browser's sign-out: better-auth checks the Origin of a request that carries cookies.
      const res = await fetch(`${origins[on]}/api/auth/sign-out`, {
        method: "POST",
        headers: { ...signInHeaders(origins[on]), cookie },
        body: "{}",
      });
      if (res.status !== 200) throw new Error(`peer sign-out on ${on}: ${res.status} ${await res.text()}`);
    },
    check,
    stop: async () => {
      await Promise.allSettled(children.map((c) => c.stop()));
    },
    dispose: () => database.drop(),
  };
}
