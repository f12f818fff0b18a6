// `npm run db:migrate`: applies drizzle/ to the Postgres at DATABASE_URL (Neon or any Postgres). Safe to run
// concurrently (src/db/migrator.ts: an advisory lock). The Node server and the dev script migrate by
// themselves; a Workers deployment runs this before deploying (npm run deploy does).
import { loadConfig } from "../src/config.ts";
import { migrateWithLock } from "../src/db/migrator.ts";
import { describeError } from "../src/http/logging.ts";

const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
  (level === "error" ? console.error : console.log)(JSON.stringify({ level, msg, ...fields }));

const config = loadConfig(process.env);
if (!config.databaseUrl) {
  console.error("DATABASE_URL is required");
  process.exit(1);
}
// The host names the database in the log; the URL itself may carry a password.
const host = new URL(config.databaseUrl).host;
try {
  const { before, after, waitedMs } = await migrateWithLock(config.databaseUrl, (msg) => log("info", msg, { host }));
  const applied = before.state === "behind" ? before.pending : [];
  log("info", applied.length > 0 ? "migrations applied" : "database already up to date", {
    host,
    applied,
    newest: after.applied,
    ...(waitedMs >= 50 ? { waited_ms: waitedMs } : {}),
  });
} catch (err) {
  log("error", "migration failed", { host, error: describeError(err) });
  process.exit(1);
}
