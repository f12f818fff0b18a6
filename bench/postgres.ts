// The Postgres server the bench runs against: the one at TEST_DATABASE_URL / DATABASE_URL when set, or
// else a throwaway Postgres 15 started with scripts/start-postgres.sh (loopback only, trust auth) and
// stopped again at the end. Either way the bench works in a database of its own
// (test/support/databases.ts), dropped afterwards.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import pg from "pg";
import { postmasterPid, processTreeMicros } from "./cpu.ts";
import { freePort } from "./processes.ts";

export interface PostgresServer {
  /** A URL of the server's maintenance database, where throwaway databases are created. */
  adminUrl: string;
  version: string;
  stop(): Promise<void>;
}

export async function postgresServer(log: (msg: string) => void): Promise<PostgresServer> {
  const given = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (given) {
    return { adminUrl: given, version: await serverVersion(given), stop: async () => {} };
  }
  if (process.getuid?.() !== 0) {
    throw new Error("Set TEST_DATABASE_URL, or run as root so the bench can start Postgres with scripts/start-postgres.sh.");
  }
  const port = await freePort();
  log(`starting Postgres on 127.0.0.1:${port} (scripts/start-postgres.sh)`);
  const out = execFileSync("bash", ["scripts/start-postgres.sh", String(port)], {
    encoding: "utf8",
    timeout: 120_000,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const vars = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const adminUrl = vars.TEST_DATABASE_URL;
  const dataDir = vars.PG_DATA_DIR;
  const binDir = vars.PG_BIN_DIR;
  if (!adminUrl || !dataDir || !binDir) throw new Error(`scripts/start-postgres.sh printed no URL:\n${out}`);
  return {
    adminUrl,
    version: await serverVersion(adminUrl),
    async stop() {
      execFileSync("su", ["postgres", "-c", `${binDir}/pg_ctl -D '${dataDir}' -m fast -w stop`], { stdio: "ignore", timeout: 60_000 });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>("show server_version")).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

/**
 * A reader of the CPU used by the Postgres server at `url` (its postmaster and backends), when that server
 * runs on this machine and the bench may ask for its data directory (a superuser, as the bench's is).
 */
export async function postgresCpuReader(url: string): Promise<(() => number | undefined) | undefined> {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]", ""].includes(host)) return undefined;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let dataDirectory: string | undefined;
  try {
    dataDirectory = (await client.query<{ data_directory: string }>("show data_directory")).rows[0]?.data_directory;
  } catch {
    return undefined; // not allowed to see it
  } finally {
    await client.end();
  }
  const pid = dataDirectory ? postmasterPid(dataDirectory) : undefined;
  return pid ? () => processTreeMicros(pid) : undefined;
}
