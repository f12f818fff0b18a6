// Node entry: config from the environment, PGlite under DATA_DIR (or Postgres at DATABASE_URL),
// migrations applied, then the app served on HOST:PORT (src/node-server.ts).
import { runNodeServer } from "./node-server.ts";

runNodeServer(process.env);
