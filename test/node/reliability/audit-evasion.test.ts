// Attacks on the audit trail: an action that succeeds while its record fails (the record's insert used to
// run after the response, so any failure left the action unrecorded), and a password typed into the email
// box that ended up in the failed-login record. Each test performs the attack as a client would.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "../../../src/db/schema.ts";
import { auditRowsOf, type ErrorBody, getMe, json, jwtPayload, login, OWNER, sendJsonText, useTestApp } from "../../support/harness.ts";

const { app, owner } = useTestApp({ owner: true });

const send = (method: string, path: string, text: string, token?: string) => sendJsonText(app, method, path, text, token);
const auditRows = () => auditRowsOf(app);

describe("the audit record of what was stored", () => {
  it("a well-formed pair (an emoji) is stored, recorded, and cut at a character boundary in the record", async () => {
    const name = `${"a".repeat(255)}🦀`;
    const res = await send("POST", "/users/me/keys/tokens", JSON.stringify({ token_name: "crab", scopes: ["all"] }), owner.token);
    expect(res.status).toBe(201);
    const profile = await send("PUT", "/users/me/profile", JSON.stringify({ username: OWNER.username, name: "Crab 🦀" }), owner.token);
    expect(profile.status).toBe(200);
    // A 400 whose recorded value is cut at 256 UTF-16 units, right through the crab's pair.
    const cut = await send("PUT", "/users/me/profile", JSON.stringify({ username: OWNER.username, name }), owner.token);
    expect(cut.status).toBe(400);
    const [last] = (await auditRows()).slice(-1);
    expect(last!.statusCode).toBe(400);
    expect(JSON.stringify(last!.diff)).toContain(`${"a".repeat(255)}…`);
  });
});

/**
 * Runs `attack` while the audit log refuses the rows `when` matches (a trigger), standing in for any reason
 * an insert can fail: a full disk, a value the table refuses, a lost connection.
 */
async function whileAuditRefuses(when: string, attack: () => Promise<void>): Promise<void> {
  await app.db.execute(sql`create function refuse_audit() returns trigger language plpgsql as $$
    begin if ${sql.raw(when)} then raise exception 'audit refused'; end if; return new; end $$`);
  await app.db.execute(sql`create trigger refuse_audit before insert on audit_logs for each row execute function refuse_audit()`);
  try {
    await attack();
  } finally {
    await app.db.execute(sql`drop trigger refuse_audit on audit_logs`);
    await app.db.execute(sql`drop function refuse_audit()`);
  }
}

describe("an audited change commits only with its record", () => {
  it("attack: when the audit insert fails, the token it would record is rolled back and the client gets a 500", async () => {
    await whileAuditRefuses("new.action = 'create' and new.resource_type = 'api_key' and new.status_code < 400", async () => {
      const res = await send("POST", "/users/me/keys/tokens", '{"token_name":"unrecorded"}', owner.token);
      expect(res.status).toBe(500);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await json<ErrorBody>(res)).toEqual({ message: "An internal server error occurred." });
      expect(await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, "unrecorded"))).toEqual([]);
    });
    const again = await send("POST", "/users/me/keys/tokens", '{"token_name":"unrecorded"}', owner.token);
    expect(again.status).toBe(201);
  });

  it("attack: a session whose login record fails is never handed out", async () => {
    const keysBefore = (await app.db.select().from(apiKeys).where(eq(apiKeys.userId, owner.userId))).length;
    await whileAuditRefuses("new.action = 'login' and new.status_code < 400", async () => {
      const res = await send("POST", "/users/login", JSON.stringify({ email: OWNER.email, password: OWNER.password }));
      expect(res.status).toBe(500);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await app.db.select().from(apiKeys).where(eq(apiKeys.userId, owner.userId))).length).toBe(keysBefore);
    });
  });

  it("attack: a sign-out whose record fails signs nothing out, and says so", async () => {
    const session = await login(app, OWNER.email, OWNER.password);
    await whileAuditRefuses("new.action = 'logout' and new.status_code < 400", async () => {
      const res = await send("POST", "/users/logout", "{}", session);
      expect(res.status).toBe(500);
      // The cookie is not cleared either: the browser keeps the session that still works.
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await getMe(app, session)).status).toBe(200);
    });
    const out = await send("POST", "/users/logout", "{}", session);
    expect(out.status).toBe(200);
    expect((await getMe(app, session)).status).toBe(401);
    const [record] = (await auditRowsOf(app)).filter((r) => r.action === "logout").slice(-1);
    expect(record).toMatchObject({ statusCode: 200, userId: owner.userId, resourceId: jwtPayload(session).jti });
  });
});

describe("what a failed login records", () => {
  it("attack: a password typed into the email box never reaches the audit log", async () => {
    const typo = "MyP@ssw0rd-2024!";
    const res = await send("POST", "/users/login", JSON.stringify({ email: typo, password: OWNER.password }));
    expect(res.status).toBe(400);
    const rows = await auditRows();
    const login = rows.filter((r) => r.action === "login").at(-1)!;
    expect(login.statusCode).toBe(400);
    expect(login.resourceTarget).toBe("");
    expect(JSON.stringify(rows)).not.toContain(typo);
  });

  it("a valid address that fails to sign in is still recorded", async () => {
    const res = await send("POST", "/users/login", JSON.stringify({ email: OWNER.email, password: "WrongPassword!123" }));
    expect(res.status).toBe(401);
    const login = (await auditRows()).filter((r) => r.action === "login").at(-1)!;
    expect(login).toMatchObject({ statusCode: 401, resourceTarget: OWNER.email, userId: owner.userId });
    expect(login.diff).toMatchObject({ email: { new: OWNER.email, secret: false } });
  });
});

describe("what a key create records", () => {
  const lastCreate = async () => (await auditRows()).filter((r) => r.action === "create" && r.resourceType === "api_key").at(-1)!;

  it("attack: a token name sent to POST /keys, which takes none, does not name the key in the record", async () => {
    const res = await send("POST", "/users/me/keys", JSON.stringify({ token_name: "innocent-looking" }), owner.token);
    expect(res.status).toBe(201);
    const { key } = await json<{ key: string }>(res);
    const jti = JSON.parse(Buffer.from(key.split(".")[1]!, "base64url").toString()).jti as string;
    expect(await lastCreate()).toMatchObject({ statusCode: 201, resourceId: jti, resourceTarget: jti });
  });

  it("a token is recorded under the whole name it was given, up to the longest a name may be", async () => {
    const name = "n".repeat(128);
    const res = await send("POST", "/users/me/keys/tokens", JSON.stringify({ token_name: name }), owner.token);
    expect(res.status).toBe(201);
    const [created] = await app.db.select().from(apiKeys).where(eq(apiKeys.tokenName, name));
    expect(await lastCreate()).toMatchObject({ statusCode: 201, resourceId: created!.id, resourceTarget: name });
  });
});
