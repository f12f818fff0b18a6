// Runs once, in Node, before both projects: a database for the workers project reached the production
// way (Neon driver → the SQL-over-HTTP stand-in and the WebSocket proxy → Postgres), migrated through that
// same driver, plus
// signing keys and a Node-made argon2 hash for the cross-runtime hashing test.
import { createServer, type Server } from "node:http";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import type { TestProject } from "vitest/node";
import { hasher as nodeHasher } from "../../src/auth/hasher-node.ts";
import { TokenService } from "../../src/auth/tokens.ts";
import { MIGRATIONS_FOLDER } from "../../src/db/index.ts";
import { openNeonSession } from "../../src/db/neon.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";
import { startFaultProxy, type FaultProxy, type ProxyMode } from "./fault-proxy.ts";
import { startNeonHttp, type NeonHttp } from "../../scripts/neon-http.ts";
import { startNeonProxy, type NeonProxy } from "../../scripts/neon-proxy.ts";
import { startOidcProvider } from "./oidc-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
    /** Extra migrated databases, one per workers test file that needs its own (see test/workers/client.ts). */
    workerDatabases: Record<string, string>;
    databaseKind: string;
    nodeArgon2Hash: { password: string; hash: string };
    argon2VerifierUrl: string;
    /** A loopback OpenID Connect provider for test/workers/oidc.test.ts (workerd cannot start one). */
    oidcIssuer: string;
    /**
     * test/workers/faults.test.ts: a migrated database behind a fault proxy (short connect and query
     * timeouts in its URL), and the loopback URL that switches the proxy's mode (`?mode=blackhole`).
     */
    faults: { databaseUrl: string; controlUrl: string };
    /**
     * test/workers/round-trips.test.ts: bindings for a database behind proxies of its own (so no other file's
     * traffic is counted), and the loopback URL that reports what those proxies received.
     */
    roundTrips: { bindings: Record<string, string>; statsUrl: string };
  }
}

/** A loopback endpoint that checks a hash with the Node hasher, so workerd can ask Node to verify its hashes. */
function startVerifier(): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const { hash, password } = JSON.parse(body) as { hash: string; password: string };
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ valid: await nodeHasher.verify(hash, password) }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/verify` });
    }),
  );
}

/** An HTTP switch for a fault proxy, so code inside workerd can break and mend its database connection. */
function startFaultControl(proxy: FaultProxy): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const mode = new URL(req.url ?? "/", "http://control").searchParams.get("mode") as ProxyMode | null;
    if (!mode || !["pass", "down", "reset", "blackhole"].includes(mode)) {
      res.statusCode = 400;
      res.end("mode must be pass, down, reset or blackhole");
      return;
    }
    await proxy.setMode(mode);
    res.end(mode);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/mode` });
    }),
  );
}

/** What a pair of proxies received, over HTTP, so code inside workerd can count its round trips. */
function startStats(http: NeonHttp, ws: NeonProxy): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ http: http.stats(), ws: ws.stats() }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/stats` });
    }),
  );
}

/** Names of the extra workers databases; a file that needs one adds its name here. */
const WORKER_DATABASES = ["users", "keys", "oidc", "faults", "roundtrips"];

export default async function setup(project: TestProject) {
  const proxy = await startNeonProxy();
  const http = await startNeonHttp();
  const migrated = async (label: string) => {
    const database = await createTestDatabase(label);
    const neon = openNeonSession(database.url, { wsProxy: proxy.address });
    await migrate(neon.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    await neon.close();
    return database;
  };
  const database = await migrated("workers");
  // One at a time: without TEST_DATABASE_URL each database is a PGlite in this process, whose start-up
  // blocks the event loop for seconds. Started side by side, the migrations' connections waited behind the
  // other databases' start-ups (up to 3.2 s on an idle machine, all six in the same 13.8 s either way) and,
  // with the machine busy, past the driver's 10 s connect timeout.
  const extra: TestDatabase[] = [];
  for (const name of WORKER_DATABASES) extra.push(await migrated(`workers_${name}`));
  const verifier = await startVerifier();
  const oidc = await startOidcProvider();
  const faultsDatabase = extra[WORKER_DATABASES.indexOf("faults")]!;
  const faultProxy = await startFaultProxy(faultsDatabase.url);
  const faultControl = await startFaultControl(faultProxy);
  const faultUrl = new URL(faultProxy.url);
  faultUrl.searchParams.set("connect_timeout", "1");
  faultUrl.searchParams.set("query_timeout", "2000");
  // Each statement takes at least this long, so statements the worker sends together are in flight together
  // and count as one round (test/workers/round-trips.test.ts), however the machine schedules them.
  const countedHttp = await startNeonHttp({ rttMs: 25 });
  const countedWs = await startNeonProxy();
  const stats = await startStats(countedHttp, countedWs);

  const password = "Cross-Runtime-Passw0rd!";
  project.provide("workerBindings", {
    DATABASE_URL: database.url,
    NEON_WS_PROXY: proxy.address,
    NEON_HTTP_PROXY: http.address,
    SIGNING_KEYS: JSON.stringify([await TokenService.generateKey()]),
    CODER_ACCESS_URL: "http://gatehouse.test",
  });
  project.provide("databaseKind", database.kind);
  project.provide("workerDatabases", Object.fromEntries(WORKER_DATABASES.map((name, i) => [name, extra[i]!.url])));
  project.provide("nodeArgon2Hash", { password, hash: await nodeHasher.hash(password) });
  project.provide("argon2VerifierUrl", verifier.url);
  project.provide("oidcIssuer", oidc.issuer);
  project.provide("faults", { databaseUrl: faultUrl.toString(), controlUrl: faultControl.url });
  project.provide("roundTrips", {
    bindings: {
      DATABASE_URL: extra[WORKER_DATABASES.indexOf("roundtrips")]!.url,
      NEON_HTTP_PROXY: countedHttp.address,
      NEON_WS_PROXY: countedWs.address,
    },
    statsUrl: stats.url,
  });

  return async () => {
    verifier.server.close();
    faultControl.server.close();
    stats.server.close();
    await faultProxy.close();
    await countedHttp.close();
    await countedWs.close();
    await http.close();
    await oidc.close();
    await proxy.close();
    await database.drop();
    await Promise.all(extra.map((d) => d.drop()));
  };
}
