// Keys and named tokens that work (https://github.com/coder/coder/blob/main/coderd/apikey.go), each
// with its effect on the api_keys table.
import { describe, expect, it, vi } from "vitest";
import { SCOPE_CATALOGUE } from "../../../src/auth/scopes.ts";
import { auditRowsOf, call, createToken, DAY_MS, expOf, keyIdOf, keyRow, useWorld } from "../../support/harness.ts";

const w = useWorld();

const inDays = (iso: string) => (Date.parse(iso) - Date.now()) / DAY_MS;

describe("named tokens: create, list, delete", () => {
  it("starts empty, creates with defaults, lists it, deletes it", async () => {
    const member = w.member;
    expect((await call(w.app, "GET", "/users/me/keys/tokens", member.token)).body).toEqual([]);

    const created = await call(w.app, "POST", "/users/me/keys/tokens", member.token, {});
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(["key"]);
    const id = keyIdOf(created.body.key);

    const list = await call(w.app, "GET", "/users/me/keys/tokens", member.token);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    const [item] = list.body;
    expect(item).toMatchObject({
      id,
      user_id: member.id,
      username: "member",
      login_type: "token",
      scope: "all",
      scopes: ["coder:all"],
      allow_list: [{ type: "*", id: "*" }],
      lifetime_seconds: 7 * 86400,
      last_used: "1970-01-01T00:00:00.000Z",
    });
    expect(inDays(item.expires_at)).toBeGreaterThan(6);
    expect(inDays(item.expires_at)).toBeLessThan(8);
    // Never the token itself, anywhere but the create response.
    expect(list.text).not.toContain(created.body.key);

    const del = await call(w.app, "DELETE", `/users/me/keys/${id}`, member.token);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect(await keyRow(w.app, id)).toBeUndefined();
    expect((await call(w.app, "GET", "/users/me/keys/tokens", member.token)).body).toEqual([]);
  });

  it("gives the JWT the key's exact expiry, and stores what the list shows", async () => {
    const { key, id } = await createToken(w.app, w.owner.token, { token_name: "exact", lifetime: 7 * 86400 * 1e9 });
    expect(key).not.toBe("");
    const row = (await keyRow(w.app, id))!;
    expect(expOf(key) * 1000).toBe(row.expiresAt.getTime());
    expect(row).toMatchObject({
      loginType: "token",
      tokenName: "exact",
      lifetimeSeconds: 604800,
      scopes: ["coder:all"],
      allowList: ["*:*"],
    });
    const days = (row.expiresAt.getTime() - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(6);
    expect(days).toBeLessThan(8);
  });

  it("uses the default token lifetime when none is given", async () => {
    const { id } = await createToken(w.app, w.owner.token, { token_name: "default-life", lifetime: 0 });
    const row = (await keyRow(w.app, id))!;
    expect(row.lifetimeSeconds).toBe(604800);
    expect((row.expiresAt.getTime() - Date.now()) / DAY_MS).toBeGreaterThan(6);
  });

  it("hides expired tokens unless include_expired is set", async () => {
    const { id } = await createToken(w.app, w.member.token, { token_name: "soon-gone" });
    expect((await call(w.app, "PUT", `/users/me/keys/${id}/expire`, w.member.token)).status).toBe(204);
    const hidden = await call(w.app, "GET", "/users/me/keys/tokens", w.member.token);
    expect(hidden.body.map((k: { id: string }) => k.id)).not.toContain(id);
    const shown = await call(w.app, "GET", "/users/me/keys/tokens?include_expired=true", w.member.token);
    expect(shown.body.map((k: { id: string }) => k.id)).toContain(id);
  });

  it("maps the legacy single scope both ways", async () => {
    const appConnect = await createToken(w.app, w.member.token, { token_name: "ac", scope: "application_connect" });
    const all = await createToken(w.app, w.member.token, { token_name: "al", scope: "all" });
    const list = (await call(w.app, "GET", "/users/me/keys/tokens", w.member.token)).body as {
      id: string;
      scope: string;
      scopes: string[];
      allow_list: unknown;
    }[];
    expect(list.find((k) => k.id === appConnect.id)).toMatchObject({
      scope: "application_connect",
      scopes: ["coder:application_connect"],
      allow_list: [{ type: "*", id: "*" }],
    });
    expect(list.find((k) => k.id === all.id)).toMatchObject({ scope: "all", scopes: ["coder:all"] });
    // In `scopes`, aliases are stored canonical and once; `scopes` wins over `scope`.
    const mixed = await createToken(w.app, w.member.token, {
      token_name: "mixed",
      scope: "all",
      scopes: ["application_connect", "coder:application_connect", "user:read"],
    });
    expect((await keyRow(w.app, mixed.id))!.scopes).toEqual(["coder:application_connect", "user:read"]);
    const low = await createToken(w.app, w.member.token, { token_name: "low", scopes: ["user:read", "coder:workspaces.access"] });
    expect((await call(w.app, "GET", `/users/me/keys/${low.id}`, w.member.token)).body).toMatchObject({
      scope: "",
      scopes: ["user:read", "coder:workspaces.access"],
    });
  });

  it("stores a wildcard-dominated allow list as [*:*] and normalises the rest", async () => {
    const uuid = "8B0C5E8A-5C33-4B7C-9E55-2B8F0E7A1C11";
    const wild = await createToken(w.app, w.owner.token, {
      token_name: "wild",
      allow_list: [
        { type: "*", id: "*" },
        { type: "workspace", id: uuid },
      ],
    });
    expect((await keyRow(w.app, wild.id))!.allowList).toEqual(["*:*"]);
    const tidy = await createToken(w.app, w.owner.token, {
      token_name: "tidy",
      allow_list: [{ type: "workspace", id: uuid }, { type: "user", id: w.member.id }, "workspace:*", { type: "user", id: w.member.id }],
    });
    expect((await keyRow(w.app, tidy.id))!.allowList).toEqual(["user:" + w.member.id, "workspace:*"]);
    const shown = await call(w.app, "GET", `/users/me/keys/tokens/tidy`, w.owner.token);
    expect(shown.body.allow_list).toEqual([
      { type: "user", id: w.member.id },
      { type: "workspace", id: "*" },
    ]);
  });

  it("names unnamed tokens adjective_surname, unique per user", async () => {
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { id } = await createToken(w.app, w.owner.token, { token_name: "" });
      names.add((await keyRow(w.app, id))!.tokenName);
    }
    expect(names.size).toBe(5);
    for (const name of names) expect(name).toMatch(/^[a-z]+_[a-z]+\d*$/);
  });

  it("draws another name when the generated one is taken, and records the token", async () => {
    // Every one-byte draw is 0: the name drawn first is agile_babbage, then agile_babbage0. Longer draws (the
    // key id) stay random.
    const real = crypto.getRandomValues.bind(crypto);
    const taken = await createToken(w.app, w.member.token, { token_name: "agile_babbage" });
    const spy = vi.spyOn(crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      if (array instanceof Uint8Array && array.length === 1) array.fill(0);
      else real(array as Uint8Array);
      return array;
    });
    let drawn;
    try {
      drawn = await createToken(w.app, w.member.token, { token_name: "" });
    } finally {
      spy.mockRestore();
    }
    expect((await keyRow(w.app, drawn.id))!.tokenName).toBe("agile_babbage0");
    expect((await keyRow(w.app, taken.id))!.tokenName).toBe("agile_babbage");
    const record = (await auditRowsOf(w.app)).find((r) => r.resourceId === drawn.id);
    expect(record).toMatchObject({ action: "create", statusCode: 201, resourceTarget: drawn.id });
  });

  it("lists every user's tokens with include_all for an owner, each with its username", async () => {
    const mine = await createToken(w.app, w.owner.token, { token_name: "owner-listed" });
    const theirs = await createToken(w.app, w.member.token, { token_name: "member-listed" });
    const all = (await call(w.app, "GET", "/users/me/keys/tokens?include_all=true", w.owner.token)).body as {
      id: string;
      username: string;
    }[];
    expect(all.find((k) => k.id === mine.id)?.username).toBe("owner");
    expect(all.find((k) => k.id === theirs.id)?.username).toBe("member");
    // A member asking for everything sees only their own.
    const memberView = (await call(w.app, "GET", "/users/me/keys/tokens?include_all=1", w.member.token)).body as { username: string }[];
    expect(memberView.length).toBeGreaterThan(0);
    expect(new Set(memberView.map((k) => k.username))).toEqual(new Set(["member"]));
    // An owner can list a member's tokens through the member's path.
    const viaPath = (await call(w.app, "GET", `/users/${w.member.username}/keys/tokens`, w.owner.token)).body as { id: string }[];
    expect(viaPath.map((k) => k.id)).toContain(theirs.id);
  });

  it("finds a token by name, and 404s an unknown name", async () => {
    const { id } = await createToken(w.app, w.member.token, { token_name: "by-name" });
    const found = await call(w.app, "GET", "/users/me/keys/tokens/by-name", w.member.token);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id, token_name: "by-name", login_type: "token" });
    expect(found.body).not.toHaveProperty("username");
    const missing = await call(w.app, "GET", "/users/me/keys/tokens/no-such-token", w.member.token);
    expect(missing.status).toBe(404);
  });

  it("reports the maximum token lifetime as an exact nanosecond integer", async () => {
    const owner = await call(w.app, "GET", "/users/me/keys/tokens/tokenconfig", w.owner.token);
    expect(owner.status).toBe(200);
    // Owners: CODER_MAX_ADMIN_TOKEN_LIFETIME (168h). Members: CODER_MAX_TOKEN_LIFETIME (876600h), past 2^53.
    expect(owner.text).toBe('{"max_token_lifetime":604800000000000}');
    const member = await call(w.app, "GET", "/users/me/keys/tokens/tokenconfig", w.member.token);
    expect(member.text).toBe('{"max_token_lifetime":3155760000000000000}');
    // Computed for {user}: the owner asking about the member gets the member's maximum.
    expect((await call(w.app, "GET", `/users/${w.member.id}/keys/tokens/tokenconfig`, w.owner.token)).text).toBe(member.text);
  });
});

describe("session keys", () => {
  it("POST /keys mints a 7-day password key with every scope and no cookie", async () => {
    const logged = vi.spyOn(console, "log");
    const errors = vi.spyOn(console, "error");
    try {
      const res = await w.app.request("/api/v2/users/me/keys", { method: "POST", token: w.member.token });
      expect(res.status).toBe(201);
      expect(res.headers.get("set-cookie")).toBeNull();
      const { key } = (await res.json()) as { key: string };
      const row = (await keyRow(w.app, keyIdOf(key)))!;
      expect(row).toMatchObject({
        userId: w.member.id,
        loginType: "password",
        lifetimeSeconds: 604800,
        scopes: ["coder:all"],
        allowList: ["*:*"],
        tokenName: "",
        ipAddress: "127.0.0.1",
      });
      expect(expOf(key) * 1000).toBe(row.expiresAt.getTime());
      expect((await call(w.app, "GET", "/users/me", key)).status).toBe(200);
      const printed = [...logged.mock.calls, ...errors.mock.calls].flat().join(" ");
      expect(printed).not.toContain(key);
    } finally {
      logged.mockRestore();
      errors.mockRestore();
    }
  });

  it("reads any key by id, the login session included", async () => {
    const id = keyIdOf(w.member.token);
    const res = await call(w.app, "GET", `/users/me/keys/${id}`, w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, login_type: "password", token_name: "", scope: "all", lifetime_seconds: 86400 });
    expect(res.text).not.toContain(w.member.token);
    // By id alone: an owner reaches the member's key through any {user} they can see.
    expect((await call(w.app, "GET", `/users/me/keys/${id}`, w.owner.token)).status).toBe(200);
  });
});

describe("GET /api/v2/auth/scopes", () => {
  it("lists the catalogue without authentication", async () => {
    const res = await w.app.request("/api/v2/auth/scopes");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { external: string[] };
    expect(body.external).toEqual(SCOPE_CATALOGUE.map((s) => s.name));
    expect(body.external).toEqual([...body.external].sort());
    for (const name of [
      "coder:all",
      "coder:application_connect",
      "coder:workspaces.create",
      "coder:apikeys.manage_self",
      "user:read",
      "workspace:*",
    ]) {
      expect(body.external).toContain(name);
    }
    // Aliases are accepted on input but are not catalogue names; internal-only actions are absent.
    expect(body.external).not.toContain("all");
    expect(body.external).not.toContain("inbox_notification:*");
  });
});

describe("custom default token lifetime", () => {
  const custom = useWorld({ CODER_DEFAULT_TOKEN_LIFETIME: "12h" });

  it("gives tokens and session keys 43200 seconds", async () => {
    const { id } = await createToken(custom.app, custom.member.token, { token_name: "half-day" });
    expect((await keyRow(custom.app, id))!.lifetimeSeconds).toBe(43200);
    const listed = (await call(custom.app, "GET", "/users/me/keys/tokens", custom.member.token)).body;
    expect(listed[0].lifetime_seconds).toBe(43200);
    const session = await call(custom.app, "POST", "/users/me/keys", custom.member.token);
    expect((await keyRow(custom.app, keyIdOf(session.body.key)))!.lifetimeSeconds).toBe(43200);
  });
});
