// `npm run import:coder -- --from <postgres url of a Coder database>`: copies users, organizations,
// memberships, user links and Git SSH keys into the Gatehouse database at DATABASE_URL (migrating it
// first), in one transaction, keeping Coder's ids. Re-running it updates what changed in Coder since.
// The Coder database is only read (one read-only snapshot). See src/import/coder.ts for what is converted.
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { schema, type Db } from "../src/db/index.ts";
import { migrateWithLock } from "../src/db/migrator.ts";
import { describeError } from "../src/http/logging.ts";
import { ImportError, readCoder, writeToGatehouse } from "../src/import/coder.ts";

const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
  (level === "error" ? console.error : console.log)(JSON.stringify({ level, msg, ...fields }));

function fail(message: string): never {
  log("error", message);
  process.exit(1);
}

let from: string | undefined;
try {
  ({
    values: { from },
  } = parseArgs({ options: { from: { type: "string" } }, strict: true }));
} catch (err) {
  fail(`${err instanceof Error ? err.message : String(err)}; usage: npm run import:coder -- --from <postgres url>`);
}
if (!from) fail("usage: npm run import:coder -- --from <postgres url of the Coder database>");
const config = loadConfig(process.env);
if (!config.databaseUrl) fail("DATABASE_URL (the Gatehouse database to import into) is required");

/** Names a database for messages without its credentials. */
const where = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return fail("--from is not a postgres:// URL");
  }
};
const source = where(from);
const target = where(config.databaseUrl);
if (source === target) fail("--from and DATABASE_URL name the same database");

const started = Date.now();
const coder = new pg.Client({ connectionString: from });
const gatehouse = new pg.Client({ connectionString: config.databaseUrl });
try {
  await migrateWithLock(config.databaseUrl, (msg) => log("info", msg));
  await coder.connect();
  const snapshot = await readCoder(coder);
  await gatehouse.connect();
  const summary = await writeToGatehouse(drizzle({ client: gatehouse, schema }) as unknown as Db, snapshot);
  log("info", "imported from Coder", { from: source, into: target, ...summary, duration_ms: Date.now() - started });
} catch (err) {
  // The import is one transaction: a failure leaves the Gatehouse database as it was (migrations aside).
  const error = err instanceof ImportError ? err.message : describeError(err);
  log("error", "import failed; nothing was imported", { from: source, into: target, error });
  process.exitCode = 1;
} finally {
  await coder.end().catch(() => undefined);
  await gatehouse.end().catch(() => undefined);
}
