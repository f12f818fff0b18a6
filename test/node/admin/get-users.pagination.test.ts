// GET /users pagination: limit, offset, the after_id keyset on lower(username), and what `count` counts
// (https://github.com/coder/coder/blob/main/coderd/pagination.go).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { listUsers, names, seedUsers, useTestApp } from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const WORDS = ["alpha", "Bravo", "charlie", "DELTA", "Echo"];

const { app, owner } = useTestApp({ owner: true });
let token = "";
/** username → id, for cursors. */
const ids = new Map<string, string>();
/** The expected order of a list: lower(username), ascending. */
const sorted = (list: string[]) => [...list].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
let everyone: string[] = [];
let gmail: string[] = [];
let special: string[] = [];

beforeAll(async () => {
  token = owner.token;
  ids.set("owner", owner.userId);
  const seeds = Array.from({ length: 50 }, (_, i) => {
    const username = i % 7 === 0 ? `SpecialUser-${String(i).padStart(2, "0")}` : `${WORDS[i % 5]}-${String(i).padStart(2, "0")}`;
    return { username, email: i < 10 ? `${username.toLowerCase()}@gmail.com` : `${username.toLowerCase()}@example.com` };
  });
  for (const row of await seedUsers(app, seeds)) ids.set(row.username, row.id);
  everyone = sorted(["owner", ...seeds.map((s) => s.username)]);
  gmail = sorted(seeds.slice(0, 10).map((s) => s.username));
  special = sorted(seeds.filter((s) => s.username.startsWith("Special")).map((s) => s.username));
  // Stamp the owner's session now, so later requests count only their own statements.
  await listUsers(app, token);
  await app.settle();
});

const page = (params: Record<string, string>) => names(app, token, params);

describe("GET /users limit and offset over ten users (coderdtest.UsersPagination)", () => {
  it("returns all ten with count 10 by default", async () => {
    expect(await page({ q: "gmail" })).toEqual({ names: gmail, count: 10 });
  });

  it("limit=1 → one user, count 10", async () => {
    expect(await page({ q: "gmail", limit: "1" })).toEqual({ names: gmail.slice(0, 1), count: 10 });
  });

  it("offset=1 → nine users, count 10", async () => {
    expect(await page({ q: "gmail", offset: "1" })).toEqual({ names: gmail.slice(1), count: 10 });
  });

  it("limit=1&offset=1 → the second user, count 10", async () => {
    expect(await page({ q: "gmail", limit: "1", offset: "1" })).toEqual({ names: gmail.slice(1, 2), count: 10 });
  });

  it("offset past the end → no users and count 0", async () => {
    expect(await page({ q: "gmail", offset: "11" })).toEqual({ names: [], count: 0 });
    expect(await page({ q: "gmail", offset: "10" })).toEqual({ names: [], count: 0 });
  });

  it("limit=0 and empty values mean no limit", async () => {
    expect(await page({ q: "gmail", limit: "0" })).toEqual({ names: gmail, count: 10 });
    expect(await page({ q: "gmail", limit: "", offset: "", after_id: "" })).toEqual({ names: gmail, count: 10 });
  });
});

describe("GET /users keyset pagination", () => {
  it("counts only the users after the cursor", async () => {
    const cursor = ids.get(gmail[2]!)!;
    expect(await page({ q: "gmail", after_id: cursor })).toEqual({ names: gmail.slice(3), count: 7 });
    expect(await page({ q: "gmail", after_id: cursor, limit: "2" })).toEqual({ names: gmail.slice(3, 5), count: 7 });
    expect(await page({ q: "gmail", after_id: cursor, offset: "6" })).toEqual({ names: gmail.slice(9), count: 7 });
  });

  it("walks 51 mixed-case users in lower(username) order by after_id and by offset, alone and with q", async () => {
    for (const [q, expected] of [
      ["", everyone],
      ["gmail", gmail],
      ["specialuser", special],
    ] as const) {
      for (const limit of [3, 5, 10]) {
        const byCursor: string[] = [];
        for (let after = ""; ; ) {
          const params: Record<string, string> = { q, limit: String(limit), ...(after ? { after_id: after } : {}) };
          const got = await page(params);
          expect(got.count).toBe(expected.length - byCursor.length);
          if (got.names.length === 0) break;
          byCursor.push(...got.names);
          after = ids.get(got.names.at(-1)!)!;
        }
        expect(byCursor).toEqual(expected);

        const byOffset: string[] = [];
        for (let offset = 0; offset < expected.length; offset += limit) {
          const got = await page({ q, limit: String(limit), offset: String(offset) });
          expect(got.count).toBe(expected.length);
          byOffset.push(...got.names);
        }
        expect(byOffset).toEqual(expected);
      }
    }
  });

  it("keeps working when the cursor user has been deleted since", async () => {
    const gone = gmail[4]!;
    await app.db
      .update(users)
      .set({ deleted: true })
      .where(eq(users.id, ids.get(gone)!));
    try {
      expect(await page({ q: "gmail", after_id: ids.get(gone)! })).toEqual({ names: gmail.slice(5), count: 5 });
    } finally {
      await app.db
        .update(users)
        .set({ deleted: false })
        .where(eq(users.id, ids.get(gone)!));
    }
  });

  it("answers an unknown cursor with an empty page, and treats the nil UUID as no cursor", async () => {
    expect(await page({ after_id: crypto.randomUUID() })).toEqual({ names: [], count: 0 });
    expect(await page({ q: "gmail", after_id: "00000000-0000-0000-0000-000000000000" })).toEqual({ names: gmail, count: 10 });
  });

  it("accepts every UUID spelling Go's uuid.Parse accepts", async () => {
    const id = ids.get(gmail[2]!)!;
    for (const spelling of [id.toUpperCase(), `{${id}}`, `urn:uuid:${id}`, id.replaceAll("-", "")]) {
      expect(await page({ q: "gmail", after_id: spelling })).toEqual({ names: gmail.slice(3), count: 7 });
    }
  });
});

describe("GET /users cost", () => {
  it("is two statements whatever the page size: the session, then list and count together (no N+1)", async () => {
    for (const limit of ["1", "0"]) {
      const before = app.queries.count;
      const res = await listUsers(app, token, { limit });
      expect(res.status).toBe(200);
      expect(app.queries.count - before).toBe(2);
    }
  });
});
