// Stopping the Node server: SIGTERM refuses new connections, lets the request in flight finish, finishes the
// work deferred past responses, closes the embedded database cleanly and exits 0; a request that will not
// finish is cut off at the timeout.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TokenService } from "../../../src/auth/tokens.ts";
import { loadConfig } from "../../../src/config.ts";
import type { Db } from "../../../src/db/index.ts";
import { buildNodeDeps } from "../../../src/node-deps.ts";
import { shutdown } from "../../../src/shutdown.ts";
import { startServer, stopServer } from "../../support/server-process.ts";

const PASSWORD = "ShutdownPassword!2024";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An HTTP server in this process whose handler the test drives; answers its base URL. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Opens a new TCP connection (not one from fetch's keep-alive pool): "connected" or the error code. */
const refused = (url: string) =>
  new Promise<string | undefined>((resolve) => {
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code));
  });

describe("shutdown()", () => {
  it("waits for the request in flight, then deferred work, then closes the database; exit code 0", async () => {
    const order: string[] = [];
    const deps = await buildNodeDeps(loadConfig({ SIGNING_KEYS: JSON.stringify([await TokenService.generateKey()]) }), {} as Db);
    const { server, url } = await listen((_req, res) => {
      setTimeout(() => {
        // Work deferred past the response, as the audit trail does; it defers more work when it runs.
        deps.defer(() =>
          new Promise((r) => setTimeout(r, 100)).then(() => {
            order.push("deferred");
            deps.defer(() => new Promise((r) => setTimeout(r, 100)).then(() => order.push("deferred later")));
          }),
        );
        res.end("done");
        order.push("responded");
      }, 300);
    });
    const inFlight = fetch(url).then(async (r) => `${r.status} ${await r.text()}`);
    await new Promise((r) => setTimeout(r, 100));
    const code = shutdown(
      { server, drainDeferred: () => deps.drainDeferred(), closeDatabase: async () => void order.push("database closed") },
      "SIGTERM",
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(await refused(url)).toBe("ECONNREFUSED");
    expect(await inFlight).toBe("200 done");
    expect(await code).toBe(0);
    expect(order).toEqual(["responded", "deferred", "deferred later", "database closed"]);
  });

  it("cuts off a request still running at the timeout, still closes the database, and exits 1", async () => {
    let closed = false;
    const { server, url } = await listen(() => {
      /* never answers */
    });
    const inFlight = fetch(url).then(
      () => "answered",
      () => "cut off",
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const code = await shutdown(
      { server, drainDeferred: async () => {}, closeDatabase: async () => void (closed = true), timeoutMs: 300 },
      "SIGTERM",
    );
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await inFlight).toBe("cut off");
    expect(closed).toBe(true);
  });
});

describe("SIGTERM to the real server (npm start) on embedded PGlite", () => {
  it("finishes a sign-in in flight (201), refuses new connections, exits 0; the session and its audit record are there after a restart", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gatehouse-sigterm-"));
    dirs.push(parent);
    const dataDir = join(parent, "data");
    const first = await startServer({ dataDir, startTimeoutMs: 150_000 });
    const created = await fetch(`${first.url}/api/v2/users/first`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@example.com", username: "owner", password: PASSWORD }),
    });
    expect(created.status).toBe(201);

    // A sign-in whose body is still arriving when SIGTERM comes: in flight for as long as the test wants.
    const body = JSON.stringify({ email: "owner@example.com", password: PASSWORD });
    const { port } = new URL(first.url);
    const socket = connect(Number(port), "127.0.0.1");
    let raw = "";
    socket.setEncoding("utf8").on("data", (d: string) => (raw += d));
    const answered = new Promise<string>((resolve) => socket.on("end", () => resolve(raw)));
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      `POST /api/v2/users/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((r) => setTimeout(r, 300));

    first.child.kill("SIGTERM");
    await first.waitForLine("shutting down");
    expect(await refused(first.url)).toBe("ECONNREFUSED");
    socket.write(body.slice(10));

    const response = await answered;
    expect(response).toMatch(/^HTTP\/1\.1 201 /);
    const session = /"session_token":"([^"]+)"/.exec(response)?.[1];
    expect(session).toBeTruthy();
    expect((await first.exited).code).toBe(0);
    expect(first.logged("shut down")).toEqual([expect.objectContaining({ clean: true })]);

    // Same port, so the same CODER_ACCESS_URL: tokens carry it as their issuer and audience.
    const second = await startServer({ dataDir, port: Number(port), startTimeoutMs: 150_000 });
    try {
      const me = await fetch(`${second.url}/api/v2/users/me`, { headers: { "Coder-Session-Token": session! } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "owner" });
      // The audit record is written after the response (deferred): the shutdown waited for it.
      const audit = await fetch(`${second.url}/api/v2/audit?q=action:login`, { headers: { "Coder-Session-Token": session! } });
      expect(audit.status).toBe(200);
      const { audit_logs } = (await audit.json()) as { audit_logs: { action: string; status_code: number }[] };
      expect(audit_logs).toEqual([expect.objectContaining({ action: "login", status_code: 201 })]);
    } finally {
      expect((await stopServer(second)).code).toBe(0);
    }
  }, 240_000);
});
