// GET and PUT /users/{user}/notifications/preferences: what is stored, what each refusal says (Coder's
// coderd/notifications.go wording where Coder has one), and that a refused PUT writes nothing.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationPreferences } from "../../../src/db/schema.ts";
import { NOTIFICATION_TEMPLATES as T } from "../../../src/users/notifications/templates.ts";
import { call, FORBIDDEN, NOT_FOUND, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();
const PATH = "/users/me/notifications/preferences";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const rowsOf = (userId: string) =>
  w.app.db
    .select({ id: notificationPreferences.notificationTemplateId, disabled: notificationPreferences.disabled })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
    .orderBy(notificationPreferences.notificationTemplateId);

describe("GET", () => {
  it("answers an empty array for a user who never changed anything", async () => {
    const res = await call(w.app, "GET", PATH, w.other.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });
});

describe("PUT", () => {
  it("stores each entry, answers every stored preference and GET agrees", async () => {
    const res = await call(w.app, "PUT", PATH, w.member.token, {
      template_disabled_map: { [T.yourAccountSuspended.id]: true, [T.yourAccountActivated.id]: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      [
        { id: T.yourAccountSuspended.id, disabled: true, updated_at: expect.stringMatching(RFC3339) },
        { id: T.yourAccountActivated.id, disabled: false, updated_at: expect.stringMatching(RFC3339) },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(await rowsOf(w.member.id)).toEqual(
      [
        { id: T.yourAccountSuspended.id, disabled: true },
        { id: T.yourAccountActivated.id, disabled: false },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect((await call(w.app, "GET", PATH, w.member.token)).body).toEqual(res.body);
  });

  it("updates a stored preference in place, bumping updated_at, and keeps the others", async () => {
    const before = (await call(w.app, "GET", PATH, w.member.token)).body as { id: string; updated_at: string }[];
    const res = await call(w.app, "PUT", PATH, w.member.token, {
      template_disabled_map: { [T.yourAccountSuspended.id.toUpperCase()]: false },
    });
    expect(res.status).toBe(200);
    const after = res.body as { id: string; disabled: boolean; updated_at: string }[];
    expect(after).toHaveLength(before.length);
    const changed = after.find((p) => p.id === T.yourAccountSuspended.id)!;
    expect(changed.disabled).toBe(false);
    expect(Date.parse(changed.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.find((p) => p.id === changed.id)!.updated_at));
  });

  it("accepts Go's other UUID spellings, stored in canonical form", async () => {
    const bare = T.userAccountCreated.id.replaceAll("-", "");
    const res = await call(w.app, "PUT", PATH, w.owner.token, {
      template_disabled_map: { [`{${T.userAccountDeleted.id}}`]: true, [bare]: true },
    });
    expect(res.status).toBe(200);
    expect((await rowsOf(w.owner.id)).map((r) => r.id).sort()).toEqual([T.userAccountCreated.id, T.userAccountDeleted.id].sort());
  });

  it("changes nothing for an empty, null or missing map", async () => {
    const stored = await rowsOf(w.member.id);
    for (const body of [{}, { template_disabled_map: {} }, { template_disabled_map: null }]) {
      const res = await call(w.app, "PUT", PATH, w.member.token, body);
      expect(res.status).toBe(200);
      expect((res.body as unknown[]).length).toBe(stored.length);
    }
    expect(await rowsOf(w.member.id)).toEqual(stored);
  });

  it("lets the one-time passcode be left on, never turned off", async () => {
    expect((await call(w.app, "PUT", PATH, w.other.token, { template_disabled_map: { [T.oneTimePasscode.id]: false } })).status).toBe(200);
    const res = await call(w.app, "PUT", PATH, w.other.token, {
      template_disabled_map: { [T.userAccountCreated.id]: true, [T.oneTimePasscode.id]: true },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'The "One-Time Passcode" notification cannot be disabled.',
      detail: "It carries the passcode that resets a forgotten password.",
    });
    expect(await rowsOf(w.other.id)).toEqual([{ id: T.oneTimePasscode.id, disabled: false }]);
  });
});

describe("PUT refusals write nothing", () => {
  const refuses = async (body: unknown, expected: unknown) => {
    const stored = await rowsOf(w.member.id);
    const res = await call(w.app, "PUT", PATH, w.member.token, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
    expect(await rowsOf(w.member.id)).toEqual(stored);
  };

  it("a key that is not a UUID: Coder's message with Go's parse error", async () => {
    await refuses(
      { template_disabled_map: { [T.yourAccountSuspended.id]: false, "not-a-uuid": true } },
      {
        message: "Unable to parse notification template UUID.",
        detail: "invalid UUID length: 10",
      },
    );
    await refuses(
      { template_disabled_map: { "zzzzzzzz-9b69-4d36-a989-9f5925b6cbff": true } },
      {
        message: "Unable to parse notification template UUID.",
        detail: "invalid UUID format",
      },
    );
  });

  it("a template Gatehouse does not send", async () => {
    const id = "c425f63e-716a-4bf4-ae24-78348f706c3f";
    await refuses(
      { template_disabled_map: { [id]: true } },
      {
        message: "Unknown notification template.",
        detail: `Gatehouse sends no notification with template ID "${id}".`,
      },
    );
  });

  it("a value that is not a boolean, or a map that is not an object", async () => {
    for (const body of [{ template_disabled_map: { [T.yourAccountSuspended.id]: "yes" } }, { template_disabled_map: [] }]) {
      const stored = await rowsOf(w.member.id);
      const res = await call(w.app, "PUT", PATH, w.member.token, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: "Validation failed." });
      expect(await rowsOf(w.member.id)).toEqual(stored);
    }
  });

  it("no body at all", async () => {
    const res = await w.app.request(`/api/v2${PATH}`, { method: "PUT", token: w.member.token });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
  });
});

describe("who may", () => {
  const memberPath = () => `/users/${w.member.id}/notifications/preferences`;
  const body = { template_disabled_map: { [T.userAccountCreated.id]: true } };

  it("an owner reads and changes another user's preferences", async () => {
    expect((await call(w.app, "GET", memberPath(), w.owner.token)).status).toBe(200);
    expect((await call(w.app, "PUT", memberPath(), w.owner.token, body)).status).toBe(200);
    expect(await rowsOf(w.member.id)).toContainEqual({ id: T.userAccountCreated.id, disabled: true });
  });

  it("a user admin may not, as in Coder (403, nothing written)", async () => {
    const stored = await rowsOf(w.member.id);
    for (const [method, payload] of [
      ["GET", undefined],
      ["PUT", { template_disabled_map: { [T.userAccountDeleted.id]: true } }],
    ] as const) {
      const res = await call(w.app, method, memberPath(), w.userAdmin.token, payload);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN);
    }
    expect(await rowsOf(w.member.id)).toEqual(stored);
  });

  it("a member cannot see another user's at all (404)", async () => {
    const res = await call(w.app, "GET", `/users/${w.other.id}/notifications/preferences`, w.member.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });
});
