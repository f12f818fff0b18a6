// Micro-benchmark of what a Worker request spends on its database handle before any I/O, in one process,
// alternating rounds: a handle built for the request (`openNeon`, what src/worker.ts did before) against a
// request handle on the isolate's HTTP handle (`requestHandle`, what it does now). Each request runs the actor
// query (src/auth/actor.ts), so the cost of building its prepared statement is counted; the driver's fetch is
// answered in-process with an empty result, so only CPU is measured, on Node's V8 (workerd runs the same
// JavaScript on V8).
// Run: npm run bench:worker-handle [-- --requests 5000 --rounds 3]
import { parseArgs } from "node:util";
import { neonConfig } from "@neondatabase/serverless";
import { loadActor } from "../src/auth/actor.ts";
import { openNeon, openNeonHttp, requestHandle } from "../src/db/neon.ts";
import { cpuPerCall } from "./micro.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "5000" }, rounds: { type: "string", default: "3" } } });
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

const URL = "postgresql://bench:secret@db.bench.invalid/neondb?sslmode=require";
// Neon's SQL-over-HTTP answer for a query that found nothing; nothing leaves the process.
const EMPTY = JSON.stringify({ fields: [], rows: [], rowCount: 0, command: "SELECT", rowAsArray: true });
neonConfig.fetchFunction = async () => new Response(EMPTY, { headers: { "content-type": "application/json" } });

const isolate = openNeonHttp(URL);
const variants = {
  "handle per request (openNeon)": async () => {
    const neon = openNeon(URL);
    await loadActor(neon.db, "0123456789");
    await neon.close();
  },
  "request handle on the isolate's (requestHandle)": async () => {
    const neon = requestHandle(isolate, URL);
    await loadActor(neon.db, "0123456789");
    await neon.close();
  },
};

const results = await cpuPerCall(variants, { rounds: ROUNDS, iterations: REQUESTS });
for (const [name, perRequest] of results) {
  console.log(`${name.padEnd(50)} ${perRequest.map((us) => us.toFixed(1)).join(" / ")} µs of CPU per request`);
}
