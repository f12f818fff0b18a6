// The stand-in for Neon's SQL-over-HTTP endpoint (scripts/neon-http.ts), driven by the real driver as the
// worker drives it (`neon()` posting to neonConfig.fetchEndpoint): values come back as the driver's own
// type parsers read them, errors carry Postgres' SQLSTATE and fields onto the driver's NeonDbError (what
// src/db/errors.ts reads), batches run as one transaction, a multi-statement query is refused as Neon
// refuses it, and the endpoint counts what it receives.
import { neon, neonConfig, NeonDbError } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromPostgres, uniqueViolation } from "../../../src/db/errors.ts";
import { startNeonHttp, type NeonHttp } from "../../../scripts/neon-http.ts";
import { createTestDatabase, type TestDatabase } from "../../support/databases.ts";

let endpoint: NeonHttp;
let database: TestDatabase;
let sql: ReturnType<typeof neon>;

beforeAll(async () => {
  endpoint = await startNeonHttp();
  database = await createTestDatabase("neon_http");
  neonConfig.fetchEndpoint = `http://${endpoint.address}/sql`;
  sql = neon(database.url);
  await sql.query("create table items (id int primary key, name text constraint items_name_key unique, tags text[])");
});

afterAll(async () => {
  await endpoint?.close();
  await database?.drop();
});

/** The driver's error for `run`, which must fail. */
async function failure(run: () => Promise<unknown>): Promise<NeonDbError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeonDbError);
  return err as NeonDbError;
}

describe("values, as the driver parses Postgres' text", () => {
  it("reads each type the way the driver's parsers do, nulls included", async () => {
    const [row] = (await sql.query(
      `select 1::int4 as i, 9007199254740993::int8 as big, true as yes, null::text as nothing,
              '2026-01-02T03:04:05.678Z'::timestamptz as at, '{"a": [1, "x", null]}'::jsonb as doc,
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as id, '\\xdeadbeef'::bytea as bytes,
              array['a', 'b,c', null, '"q"']::text[] as words, array[1, 2]::int[] as ints, 1.50::numeric as num`,
    )) as Record<string, unknown>[];
    expect(row).toMatchObject({
      i: 1,
      big: "9007199254740993",
      yes: true,
      nothing: null,
      doc: { a: [1, "x", null] },
      id: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      words: ["a", "b,c", null, '"q"'],
      ints: [1, 2],
      num: "1.50",
    });
    expect(row!.at).toEqual(new Date("2026-01-02T03:04:05.678Z"));
    expect(Array.from(row!.bytes as Uint8Array)).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("sends parameters of every kind the driver encodes and gets them back", async () => {
    const at = new Date("2025-06-07T08:09:10.111Z");
    const [row] = (await sql.query(
      "select $1::int8 + 1 as big, $2::jsonb as doc, $3::text[] as words, $4::timestamptz as at, $5::bytea as bytes, $6::bool as no, $7::text as nothing",
      ["9007199254740993", { x: [1, "two"] }, ["a", "b c", "d,e"], at, Buffer.from([1, 2, 255]), false, null],
    )) as Record<string, unknown>[];
    expect(row).toMatchObject({ big: "9007199254740994", doc: { x: [1, "two"] }, words: ["a", "b c", "d,e"], no: false, nothing: null });
    expect(row!.at).toEqual(at);
    expect(Array.from(row!.bytes as Uint8Array)).toEqual([1, 2, 255]);
  });

  it("answers in array mode with fields, command and row count, as Drizzle asks for them", async () => {
    await sql.query("insert into items (id, name) values (1, 'one'), (2, 'two')");
    const updated = await sql.query("update items set tags = $1 where id <= $2", [["t"], 2], { fullResults: true });
    expect(updated).toMatchObject({ command: "UPDATE", rowCount: 2, rows: [] });
    const selected = await sql.query("select id, name, tags from items where id = $1", [1], { arrayMode: true, fullResults: true });
    expect(selected.rows).toEqual([[1, "one", ["t"]]]);
    expect(selected.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["id", 23],
      ["name", 25],
      ["tags", 1009],
    ]);
    expect(selected).toMatchObject({ command: "SELECT", rowCount: 1, rowAsArray: true });
  });
});

describe("errors", () => {
  it("carries a unique violation's SQLSTATE and constraint to the driver's error, as errors.ts reads them", async () => {
    await sql.query("insert into items (id, name) values (10, 'dup')");
    const err = await failure(() => sql.query("insert into items (id, name) values (11, 'dup')"));
    expect(err).toMatchObject({ code: "23505", constraint: "items_name_key", table: "items", schema: "public", severity: "ERROR" });
    expect(err.message).toMatch(/duplicate key value violates unique constraint "items_name_key"/);
    expect(err.detail).toMatch(/\(name\)=\(dup\) already exists/);
    expect(fromPostgres(err)).toBe(true);
    expect(uniqueViolation(err)).toBe("items_name_key");
  });

  it("refuses two statements in one query, as Neon's extended-protocol execution does", async () => {
    const err = await failure(() => sql.query("select 1; select 2"));
    expect(err.code).toBe("42601");
    expect(err.message).toMatch(/multiple commands/);
  });

  it("reports a statement error with its position, and a missing table as 42P01", async () => {
    const err = await failure(() => sql.query("select * from no_such_table"));
    expect(err).toMatchObject({ code: "42P01", position: "15" });
  });

  it("refuses a database that is not on loopback, without a SQLSTATE", async () => {
    const err = await failure(() => neon("postgresql://user:pw@db.example.com/neondb").query("select 1"));
    expect(err.message).toMatch(/loopback/);
    expect(fromPostgres(err)).toBe(false);
  });
});

describe("batches", () => {
  it("runs a batch in one transaction and one request, results in order", async () => {
    const before = endpoint.stats();
    const results = await sql.transaction([
      sql.query("insert into items (id, name) values (20, 'twenty') returning id"),
      sql.query("select count(*)::int as n from items where id = $1", [20]),
    ]);
    expect(results).toEqual([[{ id: 20 }], [{ n: 1 }]]);
    const after = endpoint.stats();
    expect(after.requests - before.requests).toBe(1);
    expect(after.statements - before.statements).toBe(2);
  });

  it("rolls the whole batch back when one statement fails", async () => {
    const err = await failure(() =>
      sql.transaction([
        sql.query("insert into items (id, name) values (30, 'thirty')"),
        sql.query("insert into items (id, name) values (31, 'thirty')"),
      ]),
    );
    expect(err.code).toBe("23505");
    expect(await sql.query("select id from items where id in (30, 31)")).toEqual([]);
  });

  it("applies the batch's isolation level and read-only mode", async () => {
    const [[settings]] = (await sql.transaction(
      [sql.query("select current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro")],
      { isolationLevel: "Serializable", readOnly: true },
    )) as [Record<string, string>[]];
    expect(settings).toEqual({ iso: "serializable", ro: "on" });
    const err = await failure(() => sql.transaction([sql.query("insert into items (id) values (40)")], { readOnly: true }));
    expect(err.code).toBe("25006");
  });
});

describe("counting and round-trip time", () => {
  it("counts each request and statement it receives", async () => {
    const before = endpoint.stats();
    await sql.query("select 1");
    await sql.query("select 2");
    // One after the other: each request is a round of its own.
    expect(endpoint.stats()).toEqual({ requests: before.requests + 2, statements: before.statements + 2, rounds: before.rounds + 2 });
    expect(endpoint.last()).toEqual({ query: "select 2", params: [] });
  });

  it("counts requests sent together as one round, and one sent after they were answered as the next", async () => {
    // Held for 150 ms each, so the second of a pair always arrives while the first is still in flight.
    const slow = await startNeonHttp({ rttMs: 150 });
    try {
      neonConfig.fetchEndpoint = `http://${slow.address}/sql`;
      await Promise.all([sql.query("select 1"), sql.query("select 2")]);
      expect(slow.stats()).toEqual({ requests: 2, statements: 2, rounds: 1 });
      await sql.query("select 3");
      expect(slow.stats()).toEqual({ requests: 3, statements: 3, rounds: 2 });
    } finally {
      neonConfig.fetchEndpoint = `http://${endpoint.address}/sql`;
      await slow.close();
    }
  });

  it("adds the round-trip time it was given to every request", async () => {
    const slow = await startNeonHttp({ rttMs: 120 });
    try {
      neonConfig.fetchEndpoint = `http://${slow.address}/sql`;
      const started = performance.now();
      await sql.query("select 1");
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      neonConfig.fetchEndpoint = `http://${endpoint.address}/sql`;
      await slow.close();
    }
  });
});
