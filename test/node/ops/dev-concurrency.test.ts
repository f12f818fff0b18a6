// `npm run dev` on its default database (PGlite behind the loopback Neon proxy) under concurrent load.
// Every Worker request opens its own database connections, and PGlite is a single session: if the
// protocol messages of two connections interleave, one connection's Bind meets the other's Parse and
// requests fail with 500s. The real `npm run dev` is started (wrangler dev, workerd) in a process group
// of its own, which is stopped by its id at the end.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../support/dev-server.ts";
import { OWNER } from "../../support/node-app.ts";

const REQUESTS = 200;

let dev: DevServer;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dev = await startDevServer();
  ({ base, dataDir } = dev);
}, 60_000);

afterAll(() => dev?.stop(), 20_000);

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v2${path}`, {
    method,
    headers: { ...(token ? { "Coder-Session-Token": token } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(40_000),
  });
}

describe("npm run dev on PGlite", () => {
  it(`answers ${REQUESTS} concurrent requests of mixed routes without a 5xx`, async () => {
    const first = await call("POST", "/users/first", undefined, OWNER);
    expect(first.status).toBe(201);
    const login = await call("POST", "/users/login", undefined, { email: OWNER.email, password: OWNER.password });
    expect(login.status).toBe(201);
    const { session_token: token } = (await login.json()) as { session_token: string };

    const { organization_id: orgId } = (await first.json()) as { organization_id: string };
    let created = 0;
    const kinds: (() => Promise<Response>)[] = [
      () => call("POST", "/users/login", undefined, { email: OWNER.email, password: OWNER.password }),
      () => call("GET", "/users/me", token),
      () => call("POST", "/users/me/keys", token),
      () => call("GET", "/users", token),
      () => call("GET", "/users/me/keys/tokens", token),
      // A multi-row write: one transaction (the user, the membership, the SSH key) and an audit row.
      () => {
        const n = ++created;
        return call("POST", "/users", token, {
          email: `load${n}@example.com`,
          username: `load${n}`,
          password: OWNER.password,
          organization_ids: [orgId],
        });
      },
    ];
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        kinds[i % kinds.length]!().then(
          async (r) => ({ status: r.status, body: r.status >= 500 ? await r.text() : "" }),
          (err: Error) => ({ status: 0, body: String(err) }),
        ),
      ),
    );
    const failed = results.filter((r) => r.status === 0 || r.status >= 500);
    expect(
      failed.length,
      `${failed.length} of ${REQUESTS} failed, e.g. ${JSON.stringify(failed.slice(0, 3))}\n${dev.output.join("").slice(-3000)}`,
    ).toBe(0);
    // Sign-ins may be rate limited (429); everything else succeeds.
    for (const r of results) expect([200, 201, 429]).toContain(r.status);
  }, 50_000);
});

describe("npm run dev's secrets", () => {
  /** The command lines of every process in the dev server's group (npm, the script, wrangler, workerd). */
  function groupCommandLines(): string[] {
    const lines: string[] = [];
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid pgrp ...", comm may hold spaces: split after its ")".
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        if (pgrp === dev.pgid) lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
      } catch {
        // the process ended meanwhile
      }
    }
    return lines;
  }

  it.runIf(process.platform === "linux")("never appear on a command line: the signing keys go to wrangler in an owner-only file", () => {
    const lines = groupCommandLines();
    expect(lines.some((l) => l.includes("wrangler"))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain("SIGNING_KEYS");
      expect(line).not.toContain('"d":');
    }
    const file = join(dataDir, "dev-worker.env");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toMatch(/^SIGNING_KEYS='\[\{.*"d":/);
  });
});
