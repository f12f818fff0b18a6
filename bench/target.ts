// What the runner needs from a runtime + database under test, whichever it is (Node + Postgres, Node +
// PGlite, workerd + Postgres through the Neon driver).
import type { Argon2Limit } from "./argon2.ts";
import type { Seeded } from "./seed.ts";
import type { Tokens } from "./scenarios.ts";

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
  /** Database statements sent so far by the app or the baseline server: measured, never assumed. */
  statements(on: "app" | "baseline"): Promise<number>;
  /** The last statement the app sent (for EXPLAIN), when the target can see it. */
  lastStatement(): Promise<Statement | undefined>;
  /**
   * CPU time used so far by the app or the baseline server process, in µs, when the target can see it
   * (Node): every thread, and the event loop's thread alone.
   */
  cpu?(on: "app" | "baseline"): Promise<{ micros: number; mainThreadMicros: number }>;
  /** CPU used so far by the Postgres server the target runs against (postmaster and backends), in µs, when it runs on this machine. */
  postgresCpuMicros?(): number | undefined;
  /** The app server's resident set size, when the target can see it (Node). */
  rssBytes?(): Promise<number>;
  argon2Limit(): Promise<Argon2Limit & { how: string }>;
  /** Stops the servers (PGlite can only be opened by one process: EXPLAIN runs after this). */
  stopServers(): Promise<void>;
  /** EXPLAIN ANALYZE plan lines of a statement, against the bench's data. */
  explain(statement: Statement): Promise<string[]>;
  dispose(): Promise<void>;
}
