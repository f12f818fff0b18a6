// The scenarios of `npm run bench` (docs/performance.md) and the requests each sends. Gatehouse scenarios go to the
// server under test; the `baseline:` ones to the bare Hono baseline server of the same runtime; the
// `better-auth:` ones to the peer's servers (bench/peer.ts), when the target runs them.
import type { LoadRequest } from "./load.ts";
import { PEER_SIGN_IN_BODY, type Peer, signInHeaders } from "./peer.ts";
import { OWNER, type Seeded } from "./seed.ts";

export type ScenarioKey =
  | "verify"
  | "verifyHeaders"
  | "verifyExpired"
  | "verifyQuery"
  | "forged"
  | "expired"
  | "me"
  | "userById"
  | "appearance"
  | "token"
  | "listFirst"
  | "listDeep"
  | "listSearch"
  | "listFilter"
  | "login"
  | "peerMe"
  | "peerMeCache"
  | "peerForged"
  | "peerLogin";

/** Where a scenario's requests go: Gatehouse, the baseline server, or one of the peer's two servers. */
export type Server = "app" | "baseline" | "peer" | "peerCache";

export interface Scenario {
  key: ScenarioKey;
  name: string;
  on: Server;
  request: LoadRequest;
  expectStatus: number;
  /**
   * A credential that lapses while the bench runs, taken anew before each of the scenario's runs (and its
   * warm-up), as a browser keeps the cookie each answer refreshes. bench/rounds.ts calls it.
   */
  renew?: () => Promise<LoadRequest>;
}

export interface Tokens {
  valid: string;
  /** The valid token with its signature altered: the right shape, key id and claims, a wrong signature. */
  forged: string;
  /** Properly signed, for the same key row, but with `exp` an hour ago. */
  expired: string;
}

/**
 * The rate limits raised out of reach (the configuration's maximum): each scenario measures what a request
 * costs, rate-limit bookkeeping included, rather than how fast 429s come back.
 */
export const BENCH_LIMITS = { LOGIN_RATE_LIMIT: "1000000", LOGIN_RATE_LIMIT_PER_ACCOUNT: "1000000", API_RATE_LIMIT: "1000000000" };

export const SEARCH_TERM = "person-0999";
export const FILTER = "status:active role:owner";

/** What the peer's scenarios need of it (bench/peer.ts). */
type PeerScenarioSource = Pick<Peer, "credentials" | "origins" | "signIn">;

export function scenarios(seeded: Seeded, tokens: Tokens, peer?: PeerScenarioSource): Scenario[] {
  const auth = (token: string) => ({ "Coder-Session-Token": token });
  const sendTo =
    (on: Scenario["on"]) =>
    (key: ScenarioKey, name: string, path: string, token = tokens.valid, expectStatus = 200): Scenario => ({
      key,
      name,
      on,
      request: { path, headers: auth(token) },
      expectStatus,
    });
  const get = sendTo("app");
  const baseline = sendTo("baseline");
  const users = (query: string) => `/api/v2/users?limit=25${query}`;
  const json = { "content-type": "application/json" };
  // Ordered so that each baseline runs next to the scenarios measured against it; rounds alternate the order.
  return [
    baseline("verify", "baseline: bare verify only (forged token)", "/verify", tokens.forged, 401),
    baseline(
      "verifyHeaders",
      "baseline: bare verify, refusing with Gatehouse's 401 headers and body",
      "/verify-headers",
      tokens.forged,
      401,
    ),
    get("forged", "forged token → 401", "/api/v2/users/me", tokens.forged, 401),
    baseline("verifyExpired", "baseline: bare verify only (expired token)", "/verify", tokens.expired, 401),
    get("expired", "expired token → 401", "/api/v2/users/me", tokens.expired, 401),
    baseline("verifyQuery", "baseline: bare verify + actor PK query", "/verify-query"),
    get("me", "GET /users/me", "/api/v2/users/me"),
    get("userById", "GET /users/{id}", `/api/v2/users/${seeded.middleUserId}`),
    // Its read goes beside the actor query (src/users/target-reads.ts): two statements at once.
    get("appearance", "GET /users/me/appearance", "/api/v2/users/me/appearance"),
    {
      key: "token",
      name: "POST /users/me/keys/tokens",
      on: "app",
      request: {
        method: "POST",
        path: "/api/v2/users/me/keys/tokens",
        headers: { ...auth(tokens.valid), ...json },
        // Named, so every request costs what one token costs: generated names collide ever more often
        // as one user accumulates thousands of tokens (each collision is a retried insert).
        body: JSON.stringify({ token_name: "bench-[<id>]" }),
        uniqueIds: true,
      },
      expectStatus: 201,
    },
    get("listFirst", "GET /users?limit=25 first page", users("")),
    get("listDeep", "GET /users?limit=25 keyset page deep in the list", users(`&after_id=${seeded.deepCursorId}`)),
    get("listSearch", `GET /users?limit=25&q=${SEARCH_TERM}`, users(`&q=${encodeURIComponent(SEARCH_TERM)}`)),
    get("listFilter", `GET /users?limit=25&q=${FILTER}`, users(`&q=${encodeURIComponent(FILTER)}`)),
    {
      key: "login",
      name: "POST /users/login",
      on: "app",
      request: {
        method: "POST",
        path: "/api/v2/users/login",
        headers: json,
        body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
      },
      expectStatus: 201,
    },
    ...(peer ? peerScenarios(peer) : []),
  ];
}

/** better-auth's session check (GET /me, bench/peer-server.ts) in both modes, a forged cookie, and its sign-in. */
function peerScenarios(peer: PeerScenarioSource): Scenario[] {
  const meWith = (cookie: string): LoadRequest => ({ path: "/me", headers: { cookie } });
  const check = (key: ScenarioKey, name: string, on: "peer" | "peerCache", cookie: string, expectStatus: number): Scenario => ({
    key,
    name,
    on,
    request: meWith(cookie),
    expectStatus,
  });
  return [
    check("peerMe", "better-auth: session check, database sessions", "peer", peer.credentials.session, 200),
    {
      ...check("peerMeCache", "better-auth: session check, cookie cache", "peerCache", peer.credentials.cached, 200),
      // The cache cookie is signed for COOKIE_CACHE_MAX_AGE_S (300 s); past it better-auth reads the database
      // and sends a new one, which the load generator does not keep. A group's rounds take longer than that,
      // so each run gets a cookie of a fresh sign-in, as a browser holds the one last sent.
      renew: async () => meWith(await peer.signIn("peerCache")),
    },
    check("peerForged", "better-auth: forged session cookie → 401", "peer", peer.credentials.forged, 401),
    {
      key: "peerLogin",
      name: "better-auth: POST /api/auth/sign-in/email",
      on: "peer",
      request: { method: "POST", path: "/api/auth/sign-in/email", headers: signInHeaders(peer.origins.peer), body: PEER_SIGN_IN_BODY },
      expectStatus: 200,
    },
  ];
}

const pick = (all: Scenario[], key: ScenarioKey) => all.find((s) => s.key === key)!.request;

/** The mixed load of the RSS soak: reads, a list page, a refused token and a write, cycled per connection. */
export function soakRequests(all: Scenario[]): LoadRequest[] {
  return (["me", "listFirst", "userById", "forged", "listSearch", "token"] as const).map((k) => pick(all, k));
}

/** The peer's soak: what it serves of the same mix (session checks and a refused cookie; it has no users API). */
export function peerSoakRequests(all: Scenario[]): LoadRequest[] {
  return (["peerMe", "peerMe", "peerForged"] as const).map((k) => pick(all, k));
}
