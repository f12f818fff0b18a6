// Test databases reachable over TCP. With TEST_DATABASE_URL (a real Postgres, as CI runs), each call
// creates a fresh database on that server; without it, each call starts an in-memory PGlite behind
// PGlite's socket server, so `npm test` needs nothing installed by hand.
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { createPglite } from "../../src/db/pglite.ts";

export interface TestDatabase {
  url: string;
  kind: "postgres" | "pglite-socket";
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `gatehouse_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: "postgres",
      async drop() {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const db = await createPglite();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    kind: "pglite-socket",
    async drop() {
      await server.stop();
      await db.close();
    },
  };
}
