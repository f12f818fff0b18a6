// What the runner needs from a runtime + database under test, whichever it is (Node + Postgres, Node +
// PGlite, workerd + Postgres through the Neon driver).
import { TokenService } from "../src/auth/tokens.ts";
import { type Config, loadConfig } from "../src/config.ts";
import type { Db } from "../src/db/index.ts";
import type { Argon2Limit } from "./argon2.ts";
import type { Peer } from "./peer.ts";
import { freePort } from "./processes.ts";
import { type Seeded, seed } from "./seed.ts";
import type { Server, Tokens } from "./scenarios.ts";
import { mintTokens } from "./tokens.ts";

export interface Statement {
  query: string;
  params: unknown[];
}

export interface Target {
  /** Short label for the table: runtime/database. */
  label: string;
  /** Long label for the notes under the table. */
  description: string;
  appOrigin: string;
  baselineOrigin: string;
  seeded: Seeded;
  tokens: Tokens;
  /** better-auth beside the app, on the same runtime and Postgres server, when the target runs it. */
  peer?: Peer;
  /** Database statements sent so far by one of the target's servers: measured, never assumed. */
  statements(on: Server): Promise<number>;
  /** The last statement the app sent (for EXPLAIN), when the target can see it. */
  lastStatement(): Promise<Statement | undefined>;
  /**
   * CPU time used so far by the app or the baseline server process, in µs, when the target can see it:
   * every thread, and on Node the event loop's thread alone.
   */
  cpu?(on: Server): Promise<{ micros: number; mainThreadMicros?: number }>;
  /** CPU used so far by the Postgres server the target runs against (postmaster and backends), in µs, when it runs on this machine. */
  postgresCpuMicros?(): number | undefined;
  /** The resident set size of the app (or the peer's server), when the target can see it (Node). */
  rssBytes?(on?: Server): Promise<number>;
  argon2Limit(): Promise<Argon2Limit & { how: string }>;
  /** Stops the servers (PGlite can only be opened by one process: EXPLAIN runs after this). */
  stopServers(): Promise<void>;
  /** EXPLAIN ANALYZE plan lines of a statement, against the bench's data. */
  explain(statement: Statement): Promise<string[]>;
  dispose(): Promise<void>;
}

/** The origin of one of the target's servers. */
export function originOf(target: Target, on: Server): string {
  if (on === "app") return target.appOrigin;
  if (on === "baseline") return target.baselineOrigin;
  if (!target.peer) throw new Error(`${target.label} runs no peer`);
  return target.peer.origins[on];
}

/** What every target starts from: a port and origin each for the app and the baseline, and the app's config. */
export async function targetBasics(signingKeys: string, env: Record<string, string> = {}) {
  const appPort = await freePort();
  const baselinePort = await freePort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const baselineOrigin = `http://127.0.0.1:${baselinePort}`;
  const config = loadConfig({ CODER_ACCESS_URL: appOrigin, SIGNING_KEYS: signingKeys, ...env });
  return { appPort, baselinePort, appOrigin, baselineOrigin, config };
}

/** Seeds the users and mints the owner's bench tokens with the app's own keys, so the app accepts them. */
export async function seedAndMint(db: Db, users: number, config: Config, signingKeys: string): Promise<{ seeded: Seeded; tokens: Tokens }> {
  const tokenService = await TokenService.create(JSON.parse(signingKeys), config.accessUrl);
  const seeded = await seed(db, users);
  return { seeded, tokens: await mintTokens(db, config, tokenService, seeded.ownerId) };
}

/** The EXPLAIN the bench runs (callers pass SELECTs only: EXPLAIN ANALYZE executes the statement), and its plan lines. */
export const explainSql = (s: Statement) => `explain (analyze, costs off, timing off, summary off) ${s.query}`;
export const planLines = (rows: Record<string, unknown>[]) => rows.map((r) => String(r["QUERY PLAN"]));
