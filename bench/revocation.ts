// Revocation lag in `npm run bench`: a session is signed out, then its old credential is presented again
// and again; the lag is how long after the sign-out it was still honoured. Gatehouse checks the database
// on every request, so its lag must be 0 s; better-auth's cookie cache answers from a signed cookie without
// the database until the cookie's maxAge has passed.
import { COOKIE_CACHE_MAX_AGE_S } from "./peer-auth.ts";
import type { Peer, PeerServer } from "./peer.ts";
import { sleep } from "./processes.ts";
import { OWNER } from "./seed.ts";

export interface Lag {
  /** Seconds from the sign-out's answer to the last check that still honoured the old credential; 0 if none did. */
  seconds: number;
  /** Checks answered 200 after the sign-out. */
  honoured: number;
  /** Still honoured when the polling gave up (the lag is then at least `seconds`). */
  capped: boolean;
}

/** Signs a session out, then presents its credential every `pollMs` until it is refused or `capMs` passes. */
async function lagOf(check: () => Promise<number>, signOut: () => Promise<void>, pollMs: number, capMs: number): Promise<Lag> {
  if ((await check()) !== 200) throw new Error("revocation: the session was not honoured before its sign-out");
  await signOut();
  const t0 = performance.now();
  let honoured = 0;
  let last = 0;
  while (performance.now() - t0 < capMs) {
    const status = await check();
    if (status === 401) return { seconds: last, honoured, capped: false };
    if (status !== 200) throw new Error(`revocation: the check answered ${status}`);
    honoured++;
    last = (performance.now() - t0) / 1000;
    await sleep(pollMs);
  }
  return { seconds: last, honoured, capped: true };
}

/** Gatehouse: sign in (POST /users/login), sign out (POST /users/logout), then GET /users/me with the old token. */
export async function gatehouseLag(origin: string): Promise<Lag> {
  const res = await fetch(`${origin}/api/v2/users/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
  });
  if (res.status !== 201) throw new Error(`revocation: Gatehouse sign-in answered ${res.status}`);
  const { session_token: token } = (await res.json()) as { session_token: string };
  const headers = { "Coder-Session-Token": token };
  const check = async () => {
    const r = await fetch(`${origin}/api/v2/users/me`, { headers });
    await r.arrayBuffer();
    return r.status;
  };
  const signOut = async () => {
    const r = await fetch(`${origin}/api/v2/users/logout`, { method: "POST", headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`revocation: Gatehouse sign-out answered ${r.status}`);
  };
  return lagOf(check, signOut, 100, 10_000);
}

/**
 * better-auth on one of its servers: sign in, sign out, then the session check with the old cookies. With
 * the cookie cache this runs for up to maxAge + 30 s, one check a second, beside the rest of the bench.
 */
export async function peerLag(peer: Peer, on: PeerServer): Promise<Lag> {
  const cookie = await peer.signIn(on);
  const capMs = on === "peerCache" ? (COOKIE_CACHE_MAX_AGE_S + 30) * 1000 : 10_000;
  return lagOf(
    () => peer.check(on, cookie),
    () => peer.signOut(on, cookie),
    on === "peerCache" ? 1000 : 100,
    capMs,
  );
}

export const describeLag = (lag: Lag) =>
  lag.honoured === 0
    ? "0 s: refused on the first request after the sign-out"
    : `${lag.capped ? "≥ " : ""}${lag.seconds.toFixed(0)} s: honoured ${lag.honoured} checks after the sign-out`;
