// DATA_DIR on disk: the embedded database's files (its WAL included, which carries argon2 hashes, session
// rows and Git SSH private keys) and the signing keys must not be readable by other local users, whether
// the server creates the directory or finds one left wider by an earlier version.
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, stopServer, type ServerProcess } from "../../support/server-process.ts";

const PASSWORD = "DataDirPassword!2024";
const TIGHTENED = "DATA_DIR was readable by other users; tightened to owner-only";

/** Every entry under `root` (root included) with its permission bits, links not followed. */
function modes(root: string): { path: string; mode: number; link: boolean }[] {
  const out = [{ path: root, mode: statSync(root).mode & 0o7777, link: false }];
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      out.push({ path, mode: st.mode & 0o7777, link: st.isSymbolicLink() });
      if (st.isDirectory()) dirs.push(path);
    }
  }
  return out;
}

const readableByOthers = (root: string) =>
  modes(root)
    .filter((e) => !e.link && (e.mode & 0o077) !== 0)
    .map((e) => `${e.path} ${e.mode.toString(8)}`);

/** Writes that land in the database: the first user (with its Git SSH key), a session, a token. */
async function writeSecrets(server: ServerProcess) {
  const call = (path: string, body: unknown, token?: string) =>
    fetch(`${server.url}/api/v2${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { "Coder-Session-Token": token } : {}) },
      body: JSON.stringify(body),
    });
  const first = await call("/users/first", { email: "owner@example.com", username: "owner", password: PASSWORD });
  if (first.status !== 201 && first.status !== 409) throw new Error(`first user: ${first.status}`);
  const login = await call("/users/login", { email: "owner@example.com", password: PASSWORD });
  expect(login.status).toBe(201);
  const { session_token } = (await login.json()) as { session_token: string };
  expect((await call("/users/me/keys/tokens", { token_name: `t-${Date.now()}` }, session_token)).status).toBe(201);
}

let parent: string;
let dataDir: string;
let firstRun: ServerProcess;

beforeAll(async () => {
  // The parent stays as the test's umask makes it; DATA_DIR itself does not exist yet.
  parent = mkdtempSync(join(tmpdir(), "gatehouse-datadir-"));
  chmodSync(parent, 0o755);
  dataDir = join(parent, "data");
  firstRun = await startServer({ dataDir, startTimeoutMs: 150_000 });
  await writeSecrets(firstRun);
  // A clean stop: PGlite's shutdown checkpoint writes too.
  expect((await stopServer(firstRun)).code).toBe(0);
}, 180_000);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("DATA_DIR permissions", () => {
  it("attack: another local user reads the embedded database of a new DATA_DIR", () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // What the attack needs: any file or directory with a group or other bit.
    expect(readableByOthers(dataDir)).toEqual([]);
    const files = modes(dataDir).filter((e) => !e.link && lstatSync(e.path).isFile());
    // The database is really there (WAL, relations, signing keys): the check covered real files.
    expect(files.some((f) => f.path.includes(join("pglite", "pg_wal")))).toBe(true);
    expect(files.some((f) => f.path.endsWith("signing-keys.json"))).toBe(true);
    expect(firstRun.logged(TIGHTENED)).toEqual([]);
  });

  it("attack: another local user reads a DATA_DIR left 0755 with 0666 files; it is tightened at start, with one log line", async () => {
    // The layout an earlier version left: directories 0755, PGlite's files 0666.
    let loosened = 0;
    for (const e of modes(dataDir)) {
      chmodSync(e.path, lstatSync(e.path).isDirectory() ? 0o755 : 0o666);
      loosened++;
    }
    // A link inside DATA_DIR to a file outside it: its target is not Gatehouse's to change.
    const outside = join(parent, "outside.txt");
    writeFileSync(outside, "not gatehouse's");
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dataDir, "link-to-outside"));
    expect(readableByOthers(dataDir).length).toBe(loosened);

    const server = await startServer({ dataDir, startTimeoutMs: 150_000 });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(readableByOthers(dataDir)).toEqual([]);
      expect(statSync(outside).mode & 0o777).toBe(0o644);
      const lines = server.logged(TIGHTENED);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: "warn", data_dir: dataDir, entries_tightened: loosened });
      // New writes after the tightening stay owner-only too.
      await writeSecrets(server);
    } finally {
      expect((await stopServer(server)).code).toBe(0);
    }
    expect(readableByOthers(dataDir)).toEqual([]);
    expect(server.logged(TIGHTENED)).toHaveLength(1);
  }, 180_000);
});
