// The peer `npm run bench` measures Gatehouse against: better-auth (a bench-only dev dependency; nothing in
// src/ imports it), configured as its documentation shows (better-auth.com/docs/installation,
// /docs/concepts/session-management): a pg Pool as the database (its built-in Kysely adapter), email and
// password sign-in, database sessions, and optionally its cookie cache at the documented default maxAge.
// One factory, so the bench's setup (migrations, the bench user) and the peer's server use the same options.
import { betterAuth } from "better-auth";
import type pg from "pg";

/** better-auth's documented default for `session.cookieCache.maxAge`, in seconds (init-options.d.ts). */
export const COOKIE_CACHE_MAX_AGE_S = 5 * 60;

export interface PeerOptions {
  baseURL: string;
  secret: string;
  cookieCache: boolean;
}

export function peerAuth(pool: pg.Pool, options: PeerOptions) {
  return betterAuth({
    baseURL: options.baseURL,
    secret: options.secret,
    database: pool,
    emailAndPassword: { enabled: true },
    session: options.cookieCache ? { cookieCache: { enabled: true, maxAge: COOKIE_CACHE_MAX_AGE_S } } : {},
    // Out of reach, as Gatehouse's limits are in the bench (BENCH_LIMITS): each scenario measures what a
    // request costs, not how fast refusals for the rate come back. better-auth turns its limiter off
    // outside NODE_ENV=production anyway; said here so the comparison does not depend on the environment.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  });
}

/** The cost parameters of better-auth's password hash on Node (@better-auth/utils password.node: node:crypto scrypt). */
export const PEER_HASH = { N: 16384, r: 16, p: 1, dkLen: 64 };

/** Wall time of one better-auth password verification (its scrypt) alone, median of 9, in ms. */
export async function peerHashMs(): Promise<number> {
  const { scrypt, randomBytes } = await import("node:crypto");
  const salt = randomBytes(16).toString("hex");
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const { N, r, p, dkLen } = PEER_HASH;
      scrypt("Bench-Scrypt-Passw0rd!", salt, dkLen, { N, r, p, maxmem: 128 * N * r * 2 }, (err) =>
        err ? reject(err) : resolve(performance.now() - t0),
      );
    });
  await once();
  const times: number[] = [];
  for (let i = 0; i < 9; i++) times.push(await once());
  return times.sort((a, b) => a - b)[4]!;
}
