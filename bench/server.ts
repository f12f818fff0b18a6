// The Gatehouse server as `npm run bench` runs it: src/server.ts's startup, with every statement counted and
// GET /__bench/queries answering the count (bench/metrics.ts). Kept out of src/ so the server `npm start`
// runs carries no bench code.
import { QueryCounter } from "../src/db/index.ts";
import { runNodeServer } from "../src/node-server.ts";
import { withBenchMetrics } from "./metrics.ts";

const queries = new QueryCounter();
runNodeServer(process.env, { queries, wrapFetch: (fetch) => withBenchMetrics(fetch, queries) });
