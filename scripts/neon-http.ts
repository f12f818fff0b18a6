// A loopback stand-in for Neon's SQL-over-HTTP endpoint, backed by a local Postgres through node-postgres,
// so the production driver (`neon()` from @neondatabase/serverless, pointed here by neonConfig.fetchEndpoint)
// runs unchanged in `npm run dev`, the tests and the bench. The protocol is the one the driver speaks
// (@neondatabase/serverless 1.2, index.mjs: `neon()`'s execute, `processQueryResult`, `NeonDbError`):
// - POST with `Neon-Connection-String` (the database to run on), `Neon-Raw-Text-Output: true` (values as
//   Postgres' text, parsed by the driver's own type parsers), `Neon-Array-Mode: true` (rows as arrays);
// - body `{query, params}` for one statement, `{queries: [{query, params}, …]}` for a batch, which runs in
//   one transaction shaped by `Neon-Batch-Isolation-Level`, `-Read-Only` and `-Deferrable`;
// - 200 with `{command, rowCount, rows, fields: [{name, dataTypeID, …}], rowAsArray}` (a batch:
//   `{results: [...]}`); 400 with `{message, code, severity, detail, constraint, …}` when Postgres refuses a
//   statement (the driver copies those fields onto its NeonDbError); any other status is read as text.
// Statements go over the extended protocol, one statement per query, as Neon runs them: a multi-statement
// query is refused by Postgres (42601). Only loopback databases are served. It counts what it receives
// (requests, statements) and can delay each request by a round-trip time, for the bench and the tests.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { isLoopback } from "./neon-proxy.ts";

export interface NeonHttpOptions {
  /**
   * Added to every request before it is answered (the bench's --db-rtt). The client sees the same latency
   * as half on the way in and half on the way out, and the process wakes once per request instead of twice:
   * on a busy machine every timer's wake-up is late by a scheduling delay of its own.
   */
  rttMs?: number;
}

export interface NeonHttp {
  /** host:port, the value for NEON_HTTP_PROXY (the driver posts to http://<address>/sql). */
  address: string;
  /**
   * What it received so far: HTTP requests (each one a database round trip), the statements they held, and
   * rounds: the requests that arrived while none was in flight. For a client sending one request at a time,
   * rounds are the round trips it waited for one after another; requests sent together count once.
   */
  stats(): { requests: number; statements: number; rounds: number };
  /** The last statement received, with its parameters (the bench EXPLAINs it). */
  last(): { query: string; params: unknown[] } | undefined;
  close(): Promise<void>;
}

interface QueryData {
  query: string;
  params?: unknown[];
}

/** A query's values exactly as Postgres wrote them: `Neon-Raw-Text-Output` leaves parsing to the driver. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };
const MAX_BODY = 16 * 2 ** 20;
/** The driver's isolation level names (its `IsolationLevel` type), as SQL. */
const ISOLATION: Record<string, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};
/** The fields of a Postgres error the driver copies onto its NeonDbError (its `hi` list). */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** A request the endpoint refuses before reaching Postgres, answered with `status` and `{message}`. */
class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new RequestError(413, "request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(text: string): { batch: boolean; queries: QueryData[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError(400, "request body is not JSON");
  }
  const valid = (q: unknown): q is QueryData =>
    typeof (q as QueryData)?.query === "string" && ((q as QueryData).params === undefined || Array.isArray((q as QueryData).params));
  const queries = (body as { queries?: unknown })?.queries;
  if (Array.isArray(queries) && queries.every(valid)) return { batch: true, queries };
  if (valid(body)) return { batch: false, queries: [body] };
  throw new RequestError(400, "expected {query, params} or {queries: [...]}");
}

/** The result as the driver reads it (processQueryResult): rows of raw text, as arrays or by field name. */
function resultJson(result: pg.QueryResult<unknown[]>, arrayMode: boolean) {
  const fields = result.fields.map(({ name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format }) => ({
    name,
    tableID,
    columnID,
    dataTypeID,
    dataTypeSize,
    dataTypeModifier,
    format,
  }));
  const rows = arrayMode ? result.rows : result.rows.map((row) => Object.fromEntries(row.map((v, i) => [fields[i]!.name, v])));
  return { command: result.command, rowCount: result.rowCount, rows, fields, rowAsArray: arrayMode };
}

function errorJson(err: Error & Record<string, unknown>) {
  const out: Record<string, unknown> = { message: err.message };
  for (const field of ERROR_FIELDS) if (err[field] !== undefined) out[field] = err[field];
  return out;
}

export async function startNeonHttp(options: NeonHttpOptions = {}): Promise<NeonHttp> {
  const rtt = options.rttMs ?? 0;
  // One pool per database, kept open as Neon keeps its connections to the compute warm between requests.
  const pools = new Map<string, pg.Pool>();
  let requests = 0;
  let statements = 0;
  let rounds = 0;
  let inFlight = 0;
  let last: { query: string; params: unknown[] } | undefined;

  const poolFor = (connectionString: string): pg.Pool => {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw new RequestError(400, "Neon-Connection-String is not a valid URL");
    }
    if (!isLoopback(url.hostname)) throw new RequestError(400, "only loopback databases are served");
    let pool = pools.get(connectionString);
    if (!pool) {
      pool = new pg.Pool({ connectionString, max: 16, connectionTimeoutMillis: 10_000, query_timeout: 30_000, idleTimeoutMillis: 10_000 });
      // An idle connection that dies (the database restarting, a fault proxy) must not crash the process.
      pool.on("error", () => {});
      pools.set(connectionString, pool);
    }
    return pool;
  };

  const run = async (req: IncomingMessage): Promise<unknown> => {
    if (req.method !== "POST") throw new RequestError(405, "POST only");
    const { batch, queries } = parseBody(await readBody(req));
    statements += queries.length;
    const final = queries.at(-1);
    if (final) last = { query: final.query, params: final.params ?? [] };
    const connectionString = req.headers["neon-connection-string"];
    if (typeof connectionString !== "string") throw new RequestError(400, "Neon-Connection-String is required");
    if (req.headers["neon-raw-text-output"] !== "true") throw new RequestError(400, "only Neon-Raw-Text-Output: true is served here");
    const arrayMode = req.headers["neon-array-mode"] === "true";
    const pool = poolFor(connectionString);
    const client = await pool.connect();
    // A connection that dies while checked out between two statements reports it as an 'error' event; the
    // statement in flight (or the next) fails with it, and the client is discarded below.
    const ignore = () => {};
    client.on("error", ignore);
    let broken: Error | undefined;
    // queryMode "extended" (node-postgres' Query): even a statement without parameters is parsed as one
    // prepared statement, so two statements in one query are refused as Neon refuses them.
    const config = (q: QueryData) => ({
      text: q.query,
      values: q.params ?? [],
      rowMode: "array" as const,
      types: RAW_TEXT,
      queryMode: "extended",
    });
    const exec = (q: QueryData) => client.query<unknown[]>(config(q));
    try {
      if (!batch) return resultJson(await exec(queries[0]!), arrayMode);
      const level = ISOLATION[String(req.headers["neon-batch-isolation-level"])];
      const readOnly = req.headers["neon-batch-read-only"] === "true";
      const deferrable = req.headers["neon-batch-deferrable"] === "true";
      await client.query(
        `begin${level ? ` isolation level ${level}` : ""}${readOnly ? " read only" : ""}${deferrable ? " deferrable" : ""}`,
      );
      try {
        const results = [];
        for (const q of queries) results.push(resultJson(await exec(q), arrayMode));
        await client.query("commit");
        return { results };
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      }
    } catch (err) {
      // A connection that failed (rather than Postgres refusing a statement) is not given back to the pool.
      if (!SQLSTATE.test(String((err as { code?: unknown }).code))) broken = err as Error;
      throw err;
    } finally {
      client.off("error", ignore);
      client.release(broken);
    }
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    let status = 200;
    let body: unknown;
    requests++;
    if (inFlight++ === 0) rounds++;
    try {
      body = await run(req);
    } catch (err) {
      const e = err as Error & Record<string, unknown>;
      // A refused request is a JSON message too (the driver reads a 400's body as JSON), without a SQLSTATE.
      if (e instanceof RequestError) [status, body] = [e.status, { message: e.message }];
      else if (SQLSTATE.test(String(e.code))) [status, body] = [400, errorJson(e)];
      else [status, body] = [502, `could not reach the database: ${e.message}`];
    }
    if (rtt) await sleep(rtt);
    inFlight--;
    answer(res, status, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    stats: () => ({ requests, statements, rounds }),
    last: () => last,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...pools.values()].map((p) => p.end()));
    },
  };
}
