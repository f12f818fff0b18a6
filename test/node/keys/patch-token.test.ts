// PATCH /users/{user}/keys/tokens/{keyname} (https://github.com/coder/coder/blob/main/coderd/apikey.go
// `patchToken`): what changes in the api_keys row, the audit row, and each refusal with Coder's status,
// message and detail, the row left untouched.
import { describe, expect, it } from "vitest";
import {
  auditRowsOf,
  call,
  createToken,
  DAY_MS,
  DAY_NS,
  FORBIDDEN,
  keyRow,
  NOT_FOUND,
  replyOf,
  sendJsonText,
  tokenFor,
  useWorld,
} from "../../support/harness.ts";

const w = useWorld();

const FAILED = "Failed to update API key.";
const days = (n: number) => Number(BigInt(n) * DAY_NS);
const patch = (path: string, token: string, body: unknown) => call(w.app, "PATCH", path, token, body);

/** A fresh named token of the member, 30 days long, and a check that `fn` leaves its row as it was. */
async function untouched(name: string, fn: (path: string) => Promise<void>) {
  const { id } = await createToken(w.app, w.member.token, { token_name: name, lifetime: days(30) });
  const before = await keyRow(w.app, id);
  await fn(`/users/me/keys/tokens/${name}`);
  expect(await keyRow(w.app, id)).toEqual(before);
}

describe("PATCH a named token: what it changes", () => {
  it("replaces scopes and allow list, keeps the rest, answers the APIKey view, and is audited", async () => {
    const { key, id } = await createToken(w.app, w.member.token, { token_name: "edit-me", lifetime: days(30) });
    const before = (await keyRow(w.app, id))!;
    const orgId = w.owner.orgId;
    const res = await patch("/users/me/keys/tokens/edit-me", w.member.token, {
      scopes: ["workspace:read", "template:read", "workspace:read"],
      allow_list: [{ type: "organization", id: orgId }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      user_id: w.member.id,
      token_name: "edit-me",
      login_type: "token",
      scope: "",
      scopes: ["workspace:read", "template:read"],
      allow_list: [{ type: "organization", id: orgId }],
      lifetime_seconds: before.lifetimeSeconds,
      expires_at: before.expiresAt.toISOString(),
    });
    const row = (await keyRow(w.app, id))!;
    expect(row).toMatchObject({ scopes: ["workspace:read", "template:read"], allowList: [`organization:${orgId}`] });
    expect(row.expiresAt).toEqual(before.expiresAt);
    // The same token string goes on working, now narrowed: the Users API is outside its scopes.
    expect((await call(w.app, "GET", "/users/me", key)).status).toBe(404);

    const audit = (await auditRowsOf(w.app)).filter((r) => r.resourceType === "api_key" && r.action === "write" && r.resourceId === id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ userId: w.member.id, resourceTarget: "edit-me", statusCode: 200 });
  });

  it("shortens the expiry from now; empty lists reset to coder:all and *:*; `scope` alone is read too", async () => {
    const { id } = await createToken(w.app, w.member.token, {
      token_name: "shorten",
      lifetime: days(30),
      scopes: ["workspace:read"],
      allow_list: [{ type: "organization", id: w.owner.orgId }],
    });
    const res = await patch("/users/me/keys/tokens/shorten", w.member.token, { lifetime: days(2), scopes: [], allow_list: [] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      lifetime_seconds: 2 * 86400,
      scopes: ["coder:all"],
      scope: "all",
      allow_list: [{ type: "*", id: "*" }],
    });
    const left = (Date.parse(res.body.expires_at) - Date.now()) / DAY_MS;
    expect(left).toBeGreaterThan(1.99);
    expect(left).toBeLessThanOrEqual(2);
    expect((await keyRow(w.app, id))!.expiresAt.toISOString()).toBe(res.body.expires_at);

    const legacy = await patch("/users/me/keys/tokens/shorten", w.member.token, { scope: "application_connect", scopes: null });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toMatchObject({ scopes: ["coder:application_connect"], scope: "application_connect" });
  });

  it("lets an owner update another user's token, and an empty body changes nothing but updated_at", async () => {
    const { id } = await createToken(w.app, w.member.token, { token_name: "by-owner" });
    const before = (await keyRow(w.app, id))!;
    const res = await patch(`/users/${w.member.id}/keys/tokens/by-owner`, w.owner.token, {});
    expect(res.status).toBe(200);
    const row = (await keyRow(w.app, id))!;
    expect({ ...row, updatedAt: before.updatedAt }).toEqual(before);
  });
});

describe("PATCH a named token: refusals", () => {
  it("answers 404 for an unknown name, and for a name of another user", async () => {
    const res = await patch("/users/me/keys/tokens/no-such-token", w.member.token, { scopes: ["workspace:read"] });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject(NOT_FOUND);
    await untouched("not-theirs", async () => {
      const other = await patch(`/users/${w.owner.id}/keys/tokens/not-theirs`, w.member.token, { scopes: [] });
      expect(other.status).toBe(404);
    });
  });

  it("refuses scope with scopes before looking the key up", async () => {
    const res = await patch("/users/me/keys/tokens/no-such-token", w.member.token, { scope: "all", scopes: ["coder:all"] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: FAILED, detail: "provide either scope or scopes, not both" });
  });

  it("refuses an unknown scope and an invalid allow list entry", async () => {
    await untouched("bad-scope", async (path) => {
      const res = await patch(path, w.member.token, { scopes: ["workspace:read", "nope:never"] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: FAILED, detail: 'invalid or unsupported API key scope: "nope:never"' });
      const entry = await patch(path, w.member.token, { allow_list: [{ type: "workspace", id: "not-a-uuid" }] });
      expect(entry.status).toBe(400);
      expect(entry.body).toMatchObject({ message: FAILED, detail: 'invalid workspace ID (must be UUID): "not-a-uuid"' });
    });
  });

  it("refuses a lifetime of 0, a negative one, one over the maximum, and one past the signed expiry", async () => {
    await untouched("bad-lifetime", async (path) => {
      for (const lifetime of [0, -1]) {
        const res = await patch(path, w.member.token, { lifetime });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ message: FAILED, detail: "lifetime must be positive number greater than 0" });
      }
      const tooLong = await replyOf(await sendJsonText(w.app, "PATCH", path, `{"lifetime":9223372036854775807}`, w.member.token));
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toMatchObject({ message: FAILED, detail: expect.stringMatching(/^lifetime must be less than \d+h0m0s$/) });
      const longer = await patch(path, w.member.token, { lifetime: days(31) });
      expect(longer.status).toBe(400);
      expect(longer.body).toMatchObject({ message: FAILED, detail: expect.stringContaining("create a new token instead") });
    });
  });

  it("answers a lifetime Go cannot decode as Coder's JSON error", async () => {
    await untouched("bad-json", async (path) => {
      const res = await replyOf(await sendJsonText(w.app, "PATCH", path, `{"lifetime":1.5}`, w.member.token));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        message: "Request body must be valid JSON.",
        detail: "json: cannot unmarshal number 1.5 into Go struct field UpdateTokenRequest.lifetime of type time.Duration",
      });
    });
  });

  it("answers 403 to a token that may read the key but not update it", async () => {
    const readOnly = await tokenFor(w.app, w.member.id, { scopes: ["api_key:read", "user:read"] });
    await untouched("read-only", async (path) => {
      const res = await patch(path, readOnly, { lifetime: days(1) });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject(FORBIDDEN);
    });
  });

  it("refuses a narrowed token widening a key past its own scopes", async () => {
    const narrow = await tokenFor(w.app, w.member.id, { scopes: ["coder:apikeys.manage_self", "user:read"] });
    await untouched("widen", async (path) => {
      const res = await patch(path, narrow, { scopes: ["workspace:read"] });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        ...FORBIDDEN,
        detail: 'The requested scope "workspace:read" exceeds what the token making the request may do.',
      });
    });
  });
});
