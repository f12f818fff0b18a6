// POST and DELETE /users/{user}/webpush/subscription (https://github.com/coder/coder/blob/main/coderd/webpush.go):
// the rows stored for the service that sends pushes, and each refusal. Coder tests a subscription by pushing
// to it; Gatehouse checks its form, so the refusals here are of subscriptions no push could reach.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webpushSubscriptions as subs } from "../../../src/db/schema.ts";
import { auditRowsOf, call, NOT_FOUND, type TestApp, useRolesWorld } from "../../support/harness.ts";

/** As a browser's PushSubscription gives them: URL-safe base64 without padding. */
const SUB = {
  endpoint: "https://fcm.googleapis.com/fcm/send/abc:def",
  p256dh_key: "BHJFl8TEX_h6ay-icnEmvGMI1JuiSRT4fL6L-ANrWSj96P_clA4vsN0mF4VoMOmbbTlmy7FJcjwkhSvXumkEB9I",
  auth_key: "T02BExr-d5oUkST20E0TSA",
};
/** Another key pair, in standard padded base64 (webpush-go reads both). */
const PADDED = {
  endpoint: "https://updates.push.services.mozilla.com/wpush/v2/xyz",
  p256dh_key: "BA9kunuB6FR5BhUNVJN6RgWshhz+qF11NKWb7MjaYLYJU9IcmqwXJiO+fJhVRo/umjbsM8UsPeuNMaNB59TS2Zc=",
  auth_key: "hQDcvzGgK7bPpx+KMnqRaQ==",
};

const w = useRolesWorld();
const rowsOf = (app: TestApp, userId: string) =>
  app.db
    .select({ endpoint: subs.endpoint, auth: subs.endpointAuthKey, p256dh: subs.endpointP256dhKey })
    .from(subs)
    .where(eq(subs.userId, userId))
    .orderBy(subs.endpoint);
const path = "/users/me/webpush/subscription";

describe("POST /users/{user}/webpush/subscription", () => {
  it("stores each subscription as sent, unaudited as in Coder", async () => {
    const auditBefore = (await auditRowsOf(w.app)).length;
    for (const sub of [SUB, PADDED]) {
      const res = await call(w.app, "POST", path, w.member.token, sub);
      expect(res.status).toBe(204);
    }
    expect(await rowsOf(w.app, w.member.id)).toEqual([
      { endpoint: SUB.endpoint, auth: SUB.auth_key, p256dh: SUB.p256dh_key },
      { endpoint: PADDED.endpoint, auth: PADDED.auth_key, p256dh: PADDED.p256dh_key },
    ]);
    expect((await auditRowsOf(w.app)).length).toBe(auditBefore);
  });

  it("replaces the keys of an endpoint subscribed again instead of adding a second row", async () => {
    const res = await call(w.app, "POST", path, w.member.token, { ...SUB, auth_key: PADDED.auth_key });
    expect(res.status).toBe(204);
    const rows = await rowsOf(w.app, w.member.id);
    expect(rows.filter((r) => r.endpoint === SUB.endpoint)).toEqual([
      { endpoint: SUB.endpoint, auth: PADDED.auth_key, p256dh: SUB.p256dh_key },
    ]);
  });

  it("lets the owner subscribe for a member; not a user admin", async () => {
    expect((await call(w.app, "POST", `/users/${w.other.id}/webpush/subscription`, w.owner.token, SUB)).status).toBe(204);
    const admin = await call(w.app, "POST", `/users/${w.other.id}/webpush/subscription`, w.userAdmin.token, PADDED);
    expect(admin.status).toBe(404);
    expect(admin.body).toEqual(NOT_FOUND);
    expect((await rowsOf(w.app, w.other.id)).map((r) => r.endpoint)).toEqual([SUB.endpoint]);
  });

  describe("refuses a subscription no push could reach, storing nothing", () => {
    const refuses = async (body: Record<string, string>, fields: string[]) => {
      const before = await rowsOf(w.app, w.auditor.id);
      const res = await call(w.app, "POST", path, w.auditor.token, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe("Invalid webpush subscription.");
      expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual(fields);
      expect(res.body.detail).toContain(fields[0]);
      expect(await rowsOf(w.app, w.auditor.id)).toEqual(before);
    };

    it("an empty body: every field", async () => {
      await refuses({}, ["endpoint", "auth_key", "p256dh_key"]);
    });

    it("an endpoint that is not an https URL, or too long", async () => {
      for (const endpoint of [
        "",
        "http://push.example.com/x",
        "push.example.com/x",
        "https://user:pw@push.example.com/x",
        `https://push.example.com/${"a".repeat(2048)}`,
      ]) {
        await refuses({ ...SUB, endpoint }, ["endpoint"]);
      }
    });

    it("an auth secret that is not 16 bytes of base64", async () => {
      for (const auth_key of ["", "T02BExr-d5oUkST20E0T", "not base64!", "T02BExr-d5oUkST20E0TSAAA"]) {
        await refuses({ ...SUB, auth_key }, ["auth_key"]);
      }
    });

    it("a p256dh key that is not an uncompressed point on P-256", async () => {
      const point = Buffer.from(SUB.p256dh_key, "base64url");
      const offCurve = Buffer.from(point);
      offCurve[64] = offCurve[64]! ^ 1;
      for (const p256dh_key of [
        "",
        "Aw9kunuB6FR5BhUNVJN6RgWshhz-qF11NKWb7MjaYLYJ",
        offCurve.toString("base64url"),
        point.subarray(0, 64).toString("base64url"),
        "%%%",
      ]) {
        await refuses({ ...SUB, p256dh_key }, ["p256dh_key"]);
      }
    });

    it("a field that is not a string", async () => {
      const res = await call(w.app, "POST", path, w.auditor.token, { ...SUB, endpoint: 42 });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe("Validation failed.");
    });
  });
});

describe("DELETE /users/{user}/webpush/subscription", () => {
  it("removes the named endpoint's subscription only", async () => {
    const res = await call(w.app, "DELETE", path, w.member.token, { endpoint: PADDED.endpoint });
    expect(res.status).toBe(204);
    expect((await rowsOf(w.app, w.member.id)).map((r) => r.endpoint)).toEqual([SUB.endpoint]);
  });

  it("answers Coder's 404 for an endpoint the user has no subscription to, another user's included", async () => {
    for (const endpoint of [PADDED.endpoint, "", "https://nowhere.example.com/x"]) {
      const res = await call(w.app, "DELETE", path, w.member.token, { endpoint });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: "Webpush subscription not found." });
    }
    // `other` holds SUB's endpoint too; deleting the member's left it alone, and the member cannot reach it.
    expect((await call(w.app, "DELETE", path, w.member.token, { endpoint: SUB.endpoint })).status).toBe(204);
    expect(await rowsOf(w.app, w.member.id)).toEqual([]);
    expect((await rowsOf(w.app, w.other.id)).map((r) => r.endpoint)).toEqual([SUB.endpoint]);
  });

  it("lets the owner remove a member's; not a user admin", async () => {
    const admin = await call(w.app, "DELETE", `/users/${w.other.id}/webpush/subscription`, w.userAdmin.token, { endpoint: SUB.endpoint });
    expect(admin.status).toBe(404);
    expect(admin.body).toEqual(NOT_FOUND);
    expect(
      (await call(w.app, "DELETE", `/users/${w.other.id}/webpush/subscription`, w.owner.token, { endpoint: SUB.endpoint })).status,
    ).toBe(204);
    expect(await rowsOf(w.app, w.other.id)).toEqual([]);
  });
});
