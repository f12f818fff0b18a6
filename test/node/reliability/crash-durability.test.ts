// The embedded default (`npm start` on PGlite under DATA_DIR) loses nothing a client was told is saved.
// The real server takes concurrent writes over loopback (users created, tokens created, passwords changed)
// and is killed with SIGKILL at a random moment, KILLS times, each time restarted on the same DATA_DIR.
// After every restart the database must open, and every write answered 2xx before the kill must be there:
// the user (with its organization), the token (listed, and accepted), the password (it signs in). A write in
// flight at the kill may land or not, but whole: no user without its membership or Git SSH key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createPglite } from "../../../src/db/pglite.ts";
import { freePort, startServer, stopServer, type ServerProcess } from "../../support/server-process.ts";

const KILLS = 20;
const WORKERS = 6;
/** How long writes run before each kill: a random moment in this range. */
const KILL_AFTER_MS: [number, number] = [150, 1_000];
const OWNER = { email: "owner@example.com", username: "owner", password: "CrashOwnerPassword!2024" };

const newPassword = () => `Crash!${crypto.randomUUID()}`;

/** An answer the server should not have given: a failure whatever the moment. */
class UnexpectedAnswer extends Error {}
const unexpected = async (what: string, res: Response) => new UnexpectedAnswer(`${what}: ${res.status} ${await res.text()}`);

interface Member {
  username: string;
  email: string;
  /** The last password change answered 204 (or the password it was created with). */
  confirmed: string;
  /** Changes sent after `confirmed` whose answer never came (the kill): any one of them may have landed. */
  unanswered: string[];
  /** Changed since the last check: sign in again. */
  dirty: boolean;
}

const parent = mkdtempSync(join(tmpdir(), "gatehouse-crash-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

it(`loses no acknowledged write across ${KILLS} SIGKILLs of the real server`, async () => {
  const started = Date.now();
  const dataDir = join(parent, "data");
  // One port for every run: the access URL is the tokens' issuer and audience.
  const port = await freePort();
  const start = () => startServer({ dataDir, port, startTimeoutMs: 150_000 });
  let server: ServerProcess = await start();
  const base = server.url;

  const call = async (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${base}/api/v2${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { "Coder-Session-Token": token } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const signIn = async (email: string, password: string) => {
    const res = await call("POST", "/users/login", undefined, { email, password });
    return res.status === 201 ? ((await res.json()) as { session_token: string }).session_token : undefined;
  };

  const first = await call("POST", "/users/first", undefined, OWNER);
  expect(first.status).toBe(201);
  const { organization_id: orgId } = (await first.json()) as { organization_id: string };
  const ownerToken = (await signIn(OWNER.email, OWNER.password))!;

  const members = new Map<string, Member>();
  const tokens: { name: string; key: string; checked: boolean }[] = [];
  const acknowledged = { users: 0, tokens: 0, passwords: 0 };
  const found = { users: 0, tokens: 0, passwords: 0 };
  const missing: string[] = [];
  const restartMs: number[] = [];

  /** Every write answered before the last kill, not yet checked, must be in the restarted database. */
  const verify = async () => {
    const me = await call("GET", "/users/me", ownerToken);
    expect(me.status, "the owner's session, acknowledged before the first kill, must survive").toBe(200);
    const checkMember = async (m: Member) => {
      const res = await call("GET", `/users/${m.username}`, ownerToken);
      if (res.status !== 200 || !((await res.json()) as { organization_ids: string[] }).organization_ids.includes(orgId)) {
        missing.push(`user ${m.username}: ${res.status}`);
        return;
      }
      if (await signIn(m.email, m.confirmed)) {
        m.unanswered = [];
      } else {
        // A change in flight at the kill may have committed after all; the acknowledged one must not be lost
        // to anything but such a later change.
        const landed = [];
        for (const p of m.unanswered) if (await signIn(m.email, p)) landed.push(p);
        if (landed.length !== 1) missing.push(`password of ${m.username}`);
        else m.confirmed = landed[0]!;
        m.unanswered = [];
      }
      m.dirty = false;
    };
    // Four at a time: each sign-in is an argon2 verification, and the server hashes on four threads.
    const dirty = [...members.values()].filter((m) => m.dirty);
    for (let i = 0; i < dirty.length; i += 4) await Promise.all(dirty.slice(i, i + 4).map(checkMember));
    const listed = await call("GET", "/users/me/keys/tokens", ownerToken);
    expect(listed.status).toBe(200);
    const names = new Set(((await listed.json()) as { token_name: string }[]).map((t) => t.token_name));
    for (const t of tokens.filter((t) => !t.checked)) {
      const me = await call("GET", "/users/me", t.key);
      if (!names.has(t.name) || me.status !== 200) missing.push(`token ${t.name}: listed ${names.has(t.name)}, /users/me ${me.status}`);
      t.checked = true;
    }
  };

  // The members each worker created, over all rounds: only that worker changes their passwords.
  const owned: Member[][] = Array.from({ length: WORKERS }, () => []);
  for (let round = 0; round < KILLS; round++) {
    let stop = false;
    const worker = async (w: number) => {
      const mine = owned[w]!;
      for (let n = 0; !stop; n++) {
        try {
          // Rotated per round and worker, so every kind of write is sometimes the one in flight at the kill.
          const op = (n + round + w) % 3;
          if (op === 0 || mine.length === 0) {
            const username = `u${round}-${w}-${n}`;
            const password = newPassword();
            const member: Member = { username, email: `${username}@example.com`, confirmed: password, unanswered: [], dirty: true };
            const res = await call("POST", "/users", ownerToken, { email: member.email, username, password, organization_ids: [orgId] });
            if (res.status !== 201) throw await unexpected(`create ${username}`, res);
            members.set(username, member);
            mine.push(member);
            acknowledged.users++;
          } else if (op === 1) {
            const name = `t${round}-${w}-${n}`;
            const res = await call("POST", "/users/me/keys/tokens", ownerToken, { token_name: name });
            if (res.status !== 201) throw await unexpected(`token ${name}`, res);
            tokens.push({ name, key: ((await res.json()) as { key: string }).key, checked: false });
            acknowledged.tokens++;
          } else {
            // Each member's password is changed by one worker only, one change at a time: "the last
            // acknowledged change" is well defined.
            const member = mine[n % mine.length]!;
            const password = newPassword();
            member.unanswered.push(password);
            member.dirty = true;
            const res = await call("PUT", `/users/${member.username}/password`, ownerToken, { password });
            if (res.status !== 204) throw await unexpected(`password ${member.username}`, res);
            member.confirmed = password;
            member.unanswered = [];
            acknowledged.passwords++;
          }
        } catch (err) {
          // The kill: the request in flight gets no answer (a network error). Anything else is a failure.
          if (err instanceof UnexpectedAnswer || !stop) throw err;
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    const [min, max] = KILL_AFTER_MS;
    await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
    stop = true;
    server.child.kill("SIGKILL");
    await server.exited;
    await Promise.all(workers);

    const restarting = Date.now();
    server = await start();
    restartMs.push(Date.now() - restarting);
    await verify();
  }

  // Everything acknowledged over all the runs, counted once more after the last restart.
  const page = (await (await call("GET", "/users?limit=1000", ownerToken)).json()) as { users: { username: string }[] };
  const usernames = new Set(page.users.map((u) => u.username));
  found.users = [...members.keys()].filter((u) => usernames.has(u)).length;
  const listed = (await (await call("GET", "/users/me/keys/tokens", ownerToken)).json()) as { token_name: string }[];
  const names = new Set(listed.map((t) => t.token_name));
  found.tokens = tokens.filter((t) => names.has(t.name)).length;
  const all = [...members.values()];
  for (let i = 0; i < all.length; i += 4) {
    const signedIn = await Promise.all(all.slice(i, i + 4).map((m) => signIn(m.email, m.confirmed)));
    found.passwords += signedIn.filter(Boolean).length;
  }
  expect((await stopServer(server)).code).toBe(0);

  // Nothing half-written: every user row has its membership and its Git SSH key (one transaction).
  const pg = await createPglite(join(dataDir, "pglite"));
  const { rows } = await pg.query<{ users: number; orphans: number }>(`
    select count(*)::int as users,
           count(*) filter (where not exists (select 1 from organization_members m where m.user_id = u.id)
                               or not exists (select 1 from gitsshkeys k where k.user_id = u.id))::int as orphans
    from users u`);
  await pg.close();

  const summary = {
    kills: KILLS,
    acknowledged,
    found_after_restarts: {
      users: members.size - missing.filter((m) => m.startsWith("user")).length,
      tokens: tokens.length - missing.filter((m) => m.startsWith("token")).length,
    },
    found_at_end: found,
    users_in_database: rows[0]!.users,
    restart_ms: {
      min: Math.min(...restartMs),
      max: Math.max(...restartMs),
      mean: Math.round(restartMs.reduce((a, b) => a + b, 0) / restartMs.length),
    },
    total_s: Math.round((Date.now() - started) / 1000),
  };
  console.log(JSON.stringify({ msg: "crash durability", ...summary }));

  expect(missing).toEqual([]);
  expect(acknowledged.users).toBeGreaterThan(0);
  expect(acknowledged.tokens).toBeGreaterThan(0);
  expect(acknowledged.passwords).toBeGreaterThan(0);
  expect(found).toEqual({ users: members.size, tokens: tokens.length, passwords: members.size });
  expect(rows[0]!.orphans).toBe(0);
  // The owner, every acknowledged user, and at most one user per worker per kill that landed unanswered.
  expect(rows[0]!.users).toBeGreaterThanOrEqual(1 + members.size);
  expect(rows[0]!.users).toBeLessThanOrEqual(1 + members.size + KILLS * WORKERS);
}, 900_000);
