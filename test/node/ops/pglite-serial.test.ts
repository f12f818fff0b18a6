// The front `npm run dev` puts before PGlite's socket server: concurrent connections' extended-query
// exchanges and transactions never interleave on PGlite's single session. (The load that shows the
// socket server alone interleaving them is test/node/ops/dev-concurrency.test.ts: the Neon driver's
// WebSocket frames reach it message by message, node-postgres's batched writes here mostly do not.)
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSerialFront, type SerialFront } from "../../../scripts/pglite-serial.ts";

let db: PGlite;
let server: PGLiteSocketServer;
let front: SerialFront;

beforeAll(async () => {
  db = new PGlite();
  server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 256 });
  await server.start();
  front = await startSerialFront(server.getServerConn());
});

afterAll(async () => {
  await front.close();
  await server.stop();
  await db.close();
});

/** Connections at once, each running queries of different parameter counts; the errors they met. */
async function load(address: string, connections = 50, rounds = 10): Promise<string[]> {
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const client = new pg.Client({ connectionString: `postgresql://postgres@${address}/postgres` });
      try {
        await client.connect();
        for (let r = 0; r < rounds; r++) {
          const n = 1 + ((c + r) % 7);
          const params = Array.from({ length: n }, (_, i) => i);
          const sql = `select ${params.map((i) => `$${i + 1}::int`).join(" + ")} as sum`;
          const { rows } = await client.query(sql, params);
          if (Number(rows[0].sum) !== (n * (n - 1)) / 2) errors.push(`wrong sum for ${n}`);
        }
      } catch (err) {
        errors.push((err as Error).message);
      } finally {
        await client.end().catch(() => {});
      }
    }),
  );
  return errors;
}

describe("the serialising front before PGlite", () => {
  it("keeps concurrent extended-query exchanges whole", async () => {
    expect(await load(front.address)).toEqual([]);
  });

  it("holds PGlite for a connection until its transaction ends", async () => {
    const url = `postgresql://postgres@${front.address}/postgres`;
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query("begin");
      await a.query("create table held (x int)");
      // On one session b's statement would run inside a's transaction and be rolled back with it.
      const insert = b.query("create table other (x int)");
      const raced = await Promise.race([insert.then(() => "ran"), new Promise((r) => setTimeout(() => r("waited"), 300))]);
      expect(raced).toBe("waited");
      await a.query("rollback");
      await insert;
      const { rows } = await b.query("select to_regclass('held') as held, to_regclass('other') as other");
      expect(rows[0]).toEqual({ held: null, other: "other" });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
