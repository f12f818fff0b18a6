// The scenarios of `npm run bench` (docs/performance.md) and the requests each sends. Gatehouse scenarios go to the
// server under test; the two `baseline:` ones go to the bare Hono baseline server of the same runtime.
import type { LoadRequest } from "./load.ts";
import { OWNER, type Seeded } from "./seed.ts";

export type ScenarioKey =
  | "verify"
  | "verifyExpired"
  | "verifyQuery"
  | "forged"
  | "expired"
  | "me"
  | "userById"
  | "token"
  | "listFirst"
  | "listDeep"
  | "listSearch"
  | "listFilter"
  | "login";

export interface Scenario {
  key: ScenarioKey;
  name: string;
  on: "app" | "baseline";
  request: LoadRequest;
  expectStatus: number;
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

export function scenarios(seeded: Seeded, tokens: Tokens): Scenario[] {
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
    baseline("verify", "baseline: jose verify only (forged token)", "/verify", tokens.forged, 401),
    get("forged", "forged token → 401", "/api/v2/users/me", tokens.forged, 401),
    baseline("verifyExpired", "baseline: jose verify only (expired token)", "/verify", tokens.expired, 401),
    get("expired", "expired token → 401", "/api/v2/users/me", tokens.expired, 401),
    baseline("verifyQuery", "baseline: jose verify + actor PK query", "/verify-query"),
    get("me", "GET /users/me", "/api/v2/users/me"),
    get("userById", "GET /users/{id}", `/api/v2/users/${seeded.middleUserId}`),
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
  ];
}

/** The mixed load of the RSS soak: reads, a list page, a refused token and a write, cycled per connection. */
export function soakRequests(all: Scenario[]): LoadRequest[] {
  const pick = (key: ScenarioKey) => all.find((s) => s.key === key)!.request;
  return [pick("me"), pick("listFirst"), pick("userById"), pick("forged"), pick("listSearch"), pick("token")];
}
