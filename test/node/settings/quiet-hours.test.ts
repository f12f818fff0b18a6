// GET and PUT /users/{user}/quiet-hours (https://github.com/coder/coder/blob/main/enterprise/coderd/users.go,
// https://github.com/coder/coder/blob/main/enterprise/coderd/schedule/user.go,
// https://github.com/coder/coder/blob/main/coderd/schedule/cron/cron.go): the answer, the column the build
// service reads, the audit row, and each refusal with Coder's status and wording.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.ts";
import { users } from "../../../src/db/schema.ts";
import { auditRowsOf, call, NOT_FOUND, type TestApp, useRolesWorld, useWorld } from "../../support/harness.ts";

/** A fixed clock: 2026-12-06 10:00 UTC, a Sunday in winter on both sides of the Atlantic. */
const NOW = new Date("2026-12-06T10:00:00Z");

const stored = async (app: TestApp, id: string) =>
  (await app.db.select({ s: users.quietHoursSchedule }).from(users).where(eq(users.id, id)))[0]!.s;

describe("quiet hours, custom schedules allowed (Coder's defaults)", () => {
  const w = useRolesWorld();
  beforeAll(() => {
    w.app.deps.now = () => new Date(NOW);
  });

  it("answers the deployment default to a user who set none", async () => {
    const res = await call(w.app, "GET", "/users/me/quiet-hours", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      raw_schedule: "CRON_TZ=UTC 0 0 * * *",
      user_set: false,
      user_can_set: true,
      time: "00:00",
      timezone: "UTC",
      next: "2026-12-07T00:00:00Z",
    });
  });

  it("stores the tidy schedule, answers it in its zone and audits the write", async () => {
    const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.member.token, { schedule: "CRON_TZ=America/Chicago   30 4 * * *" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      raw_schedule: "CRON_TZ=America/Chicago 30 4 * * *",
      user_set: true,
      user_can_set: true,
      time: "04:30",
      timezone: "America/Chicago",
      // 10:00 UTC is 04:00 in Chicago (UTC-6): today's 04:30 is still ahead.
      next: "2026-12-06T04:30:00-06:00",
    });
    expect(await stored(w.app, w.member.id)).toBe("CRON_TZ=America/Chicago 30 4 * * *");
    expect((await call(w.app, "GET", `/users/${w.member.username}/quiet-hours`, w.member.token)).body).toEqual(res.body);
    const audit = (await auditRowsOf(w.app)).filter((r) => r.resourceId === w.member.id && r.action === "write");
    expect(audit.at(-1)).toMatchObject({ resourceType: "user", statusCode: 200 });
  });

  it("reads a schedule without a zone as UTC, and a start already past as tomorrow's", async () => {
    const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.other.token, { schedule: "5 9 * * *" });
    expect(res.body).toMatchObject({ raw_schedule: "CRON_TZ=UTC 5 9 * * *", time: "09:05", timezone: "UTC", next: "2026-12-07T09:05:00Z" });
    expect(await stored(w.app, w.other.id)).toBe("CRON_TZ=UTC 5 9 * * *");
  });

  it("keeps the zone as written, with its offset in next", async () => {
    const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.other.token, { schedule: "CRON_TZ=Asia/Kolkata 15 23 * * *" });
    expect(res.body).toMatchObject({ timezone: "Asia/Kolkata", time: "23:15", next: "2026-12-06T23:15:00+05:30" });
  });

  it("resets to the default on a blank schedule: the column is emptied", async () => {
    const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.other.token, { schedule: "   " });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ raw_schedule: "CRON_TZ=UTC 0 0 * * *", user_set: false });
    expect(await stored(w.app, w.other.id)).toBe("");
  });

  it("lets the owner and a user admin set a member's; not an auditor", async () => {
    const schedule = { schedule: "CRON_TZ=Europe/Paris 0 3 * * *" };
    expect((await call(w.app, "PUT", `/users/${w.other.id}/quiet-hours`, w.owner.token, schedule)).status).toBe(200);
    expect((await call(w.app, "PUT", `/users/${w.other.id}/quiet-hours`, w.userAdmin.token, schedule)).status).toBe(200);
    const auditor = await call(w.app, "PUT", `/users/${w.other.id}/quiet-hours`, w.auditor.token, schedule);
    expect(auditor.status).toBe(404);
    expect(auditor.body).toEqual(NOT_FOUND);
    expect((await call(w.app, "GET", `/users/${w.other.id}/quiet-hours`, w.auditor.token)).status).toBe(404);
  });

  describe("refusals leave the column as it was", () => {
    const refuses = async (body: unknown, expected: unknown) => {
      const before = await stored(w.app, w.member.id);
      const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.member.token, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(expected);
      expect(await stored(w.app, w.member.id)).toBe(before);
    };
    const invalid = (detail: string) => ({
      message: "Invalid quiet hours schedule.",
      detail,
      validations: [{ field: "schedule", detail }],
    });

    it("an empty or missing schedule: Coder's required tag", async () => {
      const required = {
        message: "Validation failed.",
        validations: [{ field: "schedule", detail: 'Validation failed for tag "required" with value: ""' }],
      };
      await refuses({ schedule: "" }, required);
      await refuses({}, required);
    });

    it("too few fields", async () => {
      await refuses(
        { schedule: "0 0 * *" },
        invalid(
          'parse daily schedule "0 0 * *": validate daily schedule: expected schedule to consist of 5 fields with an optional CRON_TZ=<timezone> prefix',
        ),
      );
    });

    it("a day-of-month, month or day-of-week other than *", async () => {
      for (const schedule of ["0 0 1 * *", "CRON_TZ=UTC 0 0 * 1 *", "0 0 * * 1-5"]) {
        await refuses(
          { schedule },
          invalid(
            `parse daily schedule ${JSON.stringify(schedule)}: validate daily schedule: expected day-of-month, month and day-of-week to be *`,
          ),
        );
      }
    });

    it("an unknown zone, or one spelt in the wrong case", async () => {
      for (const zone of ["Mars/Olympus", "america/chicago"]) {
        const schedule = `CRON_TZ=${zone} 0 0 * * *`;
        await refuses(
          { schedule },
          invalid(`parse daily schedule "${schedule}": parse schedule: provided bad location ${zone}: unknown time zone ${zone}`),
        );
      }
    });

    it("six fields without a zone, or a zone not at the start", async () => {
      await refuses(
        { schedule: "0 0 0 * * *" },
        invalid('parse daily schedule "0 0 0 * * *": parse schedule: expected exactly 5 fields, found 6: [0 0 0 * * *]'),
      );
    });

    it("more than one time", async () => {
      await refuses(
        { schedule: "0,30 2 * * *" },
        {
          message: "Invalid quiet hours schedule.",
          detail: 'daily schedule "0,30 2 * * *" has more than one time: cron(0,30 2)',
          validations: [{ field: "schedule", detail: 'daily schedule "0,30 2 * * *" has more than one time: cron(0,30 2)' }],
        },
      );
    });

    it("a minute or hour out of range, or not a number", async () => {
      await refuses(
        { schedule: "0 24 * * *" },
        invalid('parse daily schedule "0 24 * * *": parse schedule: end of range (24) above maximum (23): 24'),
      );
      await refuses(
        { schedule: "x 1 * * *" },
        invalid('parse daily schedule "x 1 * * *": parse schedule: failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
      );
    });
  });
});

describe("quiet hours pinned to the default (CODER_ALLOW_CUSTOM_QUIET_HOURS=false)", () => {
  const w = useWorld({ CODER_QUIET_HOURS_DEFAULT_SCHEDULE: "CRON_TZ=Europe/Berlin 30 1 * * *", CODER_ALLOW_CUSTOM_QUIET_HOURS: "false" });
  beforeAll(async () => {
    w.app.deps.now = () => new Date(NOW);
    // A schedule the member set while custom schedules were allowed.
    await w.app.db.update(users).set({ quietHoursSchedule: "CRON_TZ=UTC 0 5 * * *" }).where(eq(users.id, w.member.id));
  });

  it("answers the default, whatever the column holds", async () => {
    const res = await call(w.app, "GET", "/users/me/quiet-hours", w.member.token);
    expect(res.body).toEqual({
      raw_schedule: "CRON_TZ=Europe/Berlin 30 1 * * *",
      user_set: false,
      user_can_set: false,
      time: "01:30",
      timezone: "Europe/Berlin",
      next: "2026-12-07T01:30:00+01:00",
    });
  });

  it("refuses a PUT with Coder's 403, even one resetting to the default", async () => {
    for (const schedule of ["CRON_TZ=UTC 0 2 * * *", " "]) {
      const res = await call(w.app, "PUT", "/users/me/quiet-hours", w.member.token, { schedule });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: "Users cannot set custom quiet hours schedule due to deployment configuration." });
    }
    expect(await stored(w.app, w.member.id)).toBe("CRON_TZ=UTC 0 5 * * *");
  });
});

describe("CODER_QUIET_HOURS_DEFAULT_SCHEDULE", () => {
  it("defaults to UTC midnight and refuses a schedule Coder would not start with", () => {
    expect(loadConfig({}).quietHours).toMatchObject({ defaultSchedule: { raw: "CRON_TZ=UTC 0 0 * * *" }, allowUserCustom: true });
    expect(() => loadConfig({ CODER_QUIET_HOURS_DEFAULT_SCHEDULE: "0 0 * * 1" })).toThrow(
      /CODER_QUIET_HOURS_DEFAULT_SCHEDULE: .*day-of-week/,
    );
    expect(() => loadConfig({ CODER_QUIET_HOURS_DEFAULT_SCHEDULE: "0 */2 * * *" })).toThrow(/more than one time/);
  });
});
