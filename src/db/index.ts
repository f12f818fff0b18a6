// The database handle every route receives. All backends (PGlite, node-postgres, Neon) produce the same
// Drizzle Postgres type, so domain code never knows which one it runs on.
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import type { Logger } from "drizzle-orm/logger";
import {
  PgDialect,
  type PgDatabase,
  type PgPreparedQuery,
  type PgQueryResultHKT,
  type PgTable,
  type PgTransaction,
  type PreparedQueryConfig,
} from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import { fromPostgres } from "./errors.ts";
import * as schema from "./schema.ts";

export { schema };
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A Drizzle transaction, usable wherever a Db is. */
export type Tx = PgTransaction<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

/** Counts the statements sent, one per round trip: what the query-count tests and the bench read. */
export class QueryCounter implements Logger {
  count = 0;
  /** The last statement sent, with its parameters (the bench EXPLAINs it). */
  last: { query: string; params: unknown[] } | undefined;
  logQuery(query: string, params: unknown[]): void {
    this.count++;
    this.last = { query, params };
  }
}

/**
 * Handles whose pool keeps its connections open, each on a Postgres backend of its own (the Node server
 * on DATABASE_URL): there a named prepared statement is parsed and planned once per connection instead of
 * on every execution. Everywhere else statements stay unnamed: on Workers a statement is one HTTP request
 * (Neon's SQL-over-HTTP has no named statements) and a transaction's connection lasts one request,
 * PGlite's socket server runs every connection on one backend (a second Parse of a name fails), and a
 * transaction-mode pooler without prepared-statement support would lose the statement between requests.
 */
const namedStatementSessions = new WeakSet<object>();

/**
 * What runs a handle's statements. Prepared statements belong to it, not to the handle object: a Worker's
 * per-request handle shares the isolate's HTTP session (src/db/neon.ts), and with it the statements
 * prepared there. Drizzle makes a new handle for every transaction, but a transaction on one of the Node
 * pool's connections runs on that connection's session (poolTransactions), which lasts as long as the
 * connection: a statement prepared inside an audited transaction is built once per connection, not per
 * request. Elsewhere (PGlite, Neon's WebSocket pool) a transaction has a session of its own.
 */
const sessionOf = (db: Db | Tx): object => db._.session;

export function useNamedStatements(db: Db): Db {
  namedStatementSessions.add(sessionOf(db));
  return db;
}

/** The name to prepare a statement under on this handle: `name`, or "" (unnamed) where names are unsafe. */
export const statementName = (db: Db | Tx, name: string): string => (namedStatementSessions.has(sessionOf(db)) ? name : "");

/**
 * `prepare(db)` run once per database session and kept for its life: a hot statement's SQL is built once
 * instead of on every request (and, under a statementName, planned once per connection).
 */
export function preparedPerHandle<Q>(prepare: (db: Db) => Q): (db: Db | Tx) => Q {
  const prepared = new WeakMap<object, Q>();
  return (db) => {
    const session = sessionOf(db);
    let query = prepared.get(session);
    if (!query) prepared.set(session, (query = prepare(db as Db)));
    return query;
  };
}

const dialect = new PgDialect();

/**
 * A statement written as SQL, for what the query builder cannot say (a data-modifying WITH query), prepared
 * per handle as preparedPerHandle prepares: built once, its placeholders filled by `execute(params)`.
 */
export function preparedSql(name: string, build: () => SQL): (db: Db | Tx) => PgPreparedQuery<PreparedQueryConfig> {
  return preparedPerHandle((db: Db) => db._.session.prepareQuery(dialect.sqlToQuery(build()), undefined, statementName(db, name), false));
}

/**
 * The column list and the SELECT list of `insert into <table> (<columns>) select <values> ...` whose values
 * are placeholders (`param(field)` names each): INSERT ... SELECT takes no DEFAULT, so only these columns
 * are named, and a SELECT list cannot infer a parameter's type, so each is encoded as its column encodes it
 * and cast to the column's type.
 */
export function insertSelectLists<T extends PgTable>(
  table: T,
  fields: readonly (keyof T["_"]["columns"] & string)[],
  param: (field: string) => string = (field) => field,
): { columns: SQL; values: SQL } {
  const all = getTableColumns(table);
  const columns = fields.map((f) => all[f]!);
  return {
    columns: sql.join(
      columns.map((c) => sql.identifier(c.name)),
      sql`, `,
    ),
    values: sql.join(
      fields.map((f, i) => sql`${sql.param(sql.placeholder(param(f)), columns[i])}::${sql.raw(columns[i]!.getSQLType())}`),
      sql`, `,
    ),
  };
}

/**
 * Bounded waits for a node-postgres-style pool (node-postgres on Node, Neon's driver on Workers): an
 * unreachable server, or one that stops answering mid-query, fails the request with a 5xx instead of holding
 * it (docs/reliability.md). libpq's `connect_timeout` (seconds) and node-postgres' `query_timeout` (milliseconds) in the
 * URL override these defaults (the drivers let URL parameters win over pool options).
 */
export function poolTimeouts(url: string): { connectionTimeoutMillis: number; query_timeout: number } {
  const connectTimeoutS = Number(new URL(url).searchParams.get("connect_timeout") || 10);
  return { connectionTimeoutMillis: connectTimeoutS * 1000, query_timeout: 30_000 };
}

/** A pool's checked-out connection, as node-postgres and Neon's driver both hand them out. */
interface PooledClient {
  release(err?: Error): void;
}

/** A failure the driver raised without Postgres answering: the connection itself is in doubt. */
function connectionFailure(err: unknown): Error | undefined {
  if (!(err instanceof DrizzleQueryError)) return undefined;
  return fromPostgres(err.cause) ? undefined : err;
}

/**
 * Replaces `db.transaction` of a pool-backed handle with one that never leaks or reuses a broken connection.
 * Drizzle's pool transaction sends BEGIN before its try block, so a BEGIN that fails (refused, reset, timed
 * out) never gives its client back; enough of those and the pool is exhausted and cannot even be closed.
 * It also hands back a client whose statement timed out, still busy, for the next request. Here each
 * transaction checks a client out itself, runs Drizzle's transaction on that one client, and always releases
 * it, discarding it when the failure came from the connection rather than from Postgres (no SQLSTATE).
 */
export function poolTransactions<C extends PooledClient>(db: Db, pool: { connect(): Promise<C> }, onClient: (client: C) => Db): void {
  const perClient = new WeakMap<C, Db>();
  const transaction: Db["transaction"] = async (run, config) => {
    const client = await pool.connect();
    let failure: unknown;
    try {
      let clientDb = perClient.get(client);
      if (!clientDb) {
        perClient.set(client, (clientDb = onClient(client)));
        // The connection's own handle names statements where the pool's handle does: it is one of the pool's
        // connections. (One first used before the pool's handle was marked stays unnamed: only slower.)
        if (namedStatementSessions.has(sessionOf(db))) useNamedStatements(clientDb);
      }
      return await clientDb.transaction(run, config);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      client.release(connectionFailure(failure));
    }
  };
  db.transaction = transaction;
}

/** Where migrations live relative to the project root; each backend's migrator reads this folder. */
export const MIGRATIONS_FOLDER = "drizzle";
