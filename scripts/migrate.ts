// `npm run db:migrate`: applies drizzle/ to the Postgres at DATABASE_URL (Neon or any Postgres). The
// Node server and the dev script migrate by themselves; a Workers deployment runs this before deploying.
import { loadConfig } from "../src/config.ts";
import { openPostgres } from "../src/db/postgres.ts";

const config = loadConfig(process.env);
if (!config.databaseUrl) {
  console.error("DATABASE_URL is required");
  process.exit(1);
}
const handle = await openPostgres(config.databaseUrl);
await handle.close();
console.log(JSON.stringify({ level: "info", msg: "migrations applied", host: new URL(config.databaseUrl).host }));
