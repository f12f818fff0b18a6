// The account notifications reach the webhook as Coder addresses them (owners and user admins, plus the
// user for a status change), and the recipients' preferences are honoured where they are sent: a template
// a user turned off is not delivered to them, while the one-time passcode always goes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notificationPreferences } from "../../../src/db/schema.ts";
import { NOTIFICATION_TEMPLATES as T } from "../../../src/users/notifications/templates.ts";
import {
  type AddedUser,
  addUser,
  call,
  type Delivery,
  type Hook,
  OWNER,
  post,
  startHook,
  startTestApp,
  type TestApp,
  withOwner,
} from "../../support/harness.ts";

let app: TestApp;
let hook: Hook;
let owner: { userId: string; token: string; organizationId: string };
let admin: AddedUser;
beforeAll(async () => {
  hook = await startHook();
  app = await startTestApp({ env: { NOTIFICATIONS_WEBHOOK_URL: hook.url } });
  owner = await withOwner(app);
  admin = await addUser(app, { username: "useradmin", roles: ["user-admin"], login: true });
});
afterAll(async () => {
  await app.close();
  await hook.close();
});
beforeEach(() => {
  hook.received.length = 0;
});

/** What the webhook got since the test began, once deferred delivery is done, as (type, recipient) pairs. */
async function delivered(): Promise<{ type: unknown; to: unknown }[]> {
  await app.settle();
  return sorted(hook.received.map((d: Delivery) => ({ type: d.json.type, to: d.json.user_id })));
}
const to = (type: string, ...ids: string[]) => ids.map((id) => ({ type, to: id }));
const sorted = (pairs: { type: unknown; to: unknown }[]) => pairs.sort((a, b) => `${a.type}${a.to}`.localeCompare(`${b.type}${b.to}`));
const prefs = (token: string, map: Record<string, boolean>, user = "me") =>
  call(app, "PUT", `/users/${user}/notifications/preferences`, token, { template_disabled_map: map });

describe("account notifications", () => {
  let member: AddedUser;
  beforeAll(async () => {
    member = await addUser(app, { username: "subject", login: true });
  });

  it("suspension: the admins and the user, with Coder's template ids and labels", async () => {
    expect((await call(app, "PUT", `/users/${member.id}/status/suspend`, owner.token)).status).toBe(200);
    expect(await delivered()).toEqual(
      sorted([...to("user_account_suspended", owner.userId, admin.id), ...to("your_account_suspended", member.id)]),
    );
    const own = hook.received.find((d) => d.json.type === "your_account_suspended")!;
    expect(own.json).toEqual({
      type: "your_account_suspended",
      template_id: T.yourAccountSuspended.id,
      user_id: member.id,
      email: member.email,
      labels: { suspended_account_name: "subject", suspended_account_user_name: "", initiator: OWNER.name ?? "" },
    });
    const toAdmin = hook.received.find((d) => d.json.type === "user_account_suspended" && d.json.user_id === admin.id)!;
    expect(toAdmin.json).toMatchObject({ template_id: T.userAccountSuspended.id, email: admin.email });
  });

  it("a disabled 'account suspended' notification is not delivered; the others still are", async () => {
    expect((await call(app, "PUT", `/users/${member.id}/status/activate`, owner.token)).status).toBe(200);
    expect(await delivered()).toEqual(
      sorted([...to("user_account_activated", owner.userId, admin.id), ...to("your_account_activated", member.id)]),
    );
    hook.received.length = 0;

    expect((await prefs(member.token, { [T.yourAccountSuspended.id]: true })).status).toBe(200);
    expect((await prefs(admin.token, { [T.userAccountSuspended.id]: true })).status).toBe(200);
    expect((await call(app, "PUT", `/users/${member.id}/status/suspend`, owner.token)).status).toBe(200);
    expect(await delivered()).toEqual(to("user_account_suspended", owner.userId));

    // Turned back on, it is delivered again.
    await call(app, "PUT", `/users/${member.id}/status/activate`, owner.token);
    expect((await prefs(admin.token, { [T.userAccountSuspended.id]: false })).status).toBe(200);
    await app.settle();
    hook.received.length = 0;
    await call(app, "PUT", `/users/${member.id}/status/suspend`, owner.token);
    expect(await delivered()).toEqual(sorted(to("user_account_suspended", owner.userId, admin.id)));
    await call(app, "PUT", `/users/${member.id}/status/activate`, owner.token);
    await app.settle();
  });

  it("a refused status change sends nothing", async () => {
    expect((await call(app, "PUT", `/users/${owner.userId}/status/suspend`, admin.token)).status).toBe(400);
    expect(await delivered()).toEqual([]);
  });

  it("creation: the admins, not the new user", async () => {
    const res = await call(app, "POST", "/users", admin.token, {
      email: "fresh@example.com",
      username: "fresh",
      password: "SomeSecurePassword!",
      organization_ids: [owner.organizationId],
    });
    expect(res.status).toBe(201);
    expect(await delivered()).toEqual(sorted(to("user_account_created", owner.userId, admin.id)));
    expect(hook.received[0]!.json.labels).toMatchObject({ created_account_name: "fresh" });
  });

  it("deletion: the admins, not the deleted user", async () => {
    const doomed = await addUser(app, { username: "doomed" });
    expect((await prefs(owner.token, { [T.userAccountDeleted.id]: true })).status).toBe(200);
    expect((await call(app, "DELETE", `/users/${doomed.id}`, admin.token)).status).toBe(200);
    expect(await delivered()).toEqual(to("user_account_deleted", admin.id));
    expect(hook.received[0]!.json.labels).toMatchObject({ deleted_account_name: "doomed" });
  });
});

describe("the one-time passcode", () => {
  it("always goes, even with a disabled row stored for it (one written around the API)", async () => {
    const user = await addUser(app, { username: "forgetful" });
    await app.db.insert(notificationPreferences).values({ userId: user.id, notificationTemplateId: T.oneTimePasscode.id, disabled: true });
    expect((await post(app, "/users/otp/request", { email: user.email })).status).toBe(204);
    expect(await delivered()).toEqual(to("one_time_passcode", user.id));
    expect(hook.received[0]!.json).toMatchObject({ template_id: T.oneTimePasscode.id, email: user.email });
  });
});
