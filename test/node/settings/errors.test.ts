// Bad input to the settings endpoints: every mistake is a 4xx in Coder's shape with Coder's wording, and a
// rejected write leaves the database as it was.
import { beforeAll, describe, expect, it } from "vitest";
import { addOrganization, API, call, configsOf, NOT_FOUND, useRolesWorld } from "../../support/harness.ts";

const tagged = (tag: string, value: string) => `Validation failed for tag "${tag}" with value: "${value}"`;

const w = useRolesWorld();
beforeAll(async () => {
  const seeded = await call(w.app, "PUT", "/users/me/appearance", w.member.token, {
    theme_preference: "dark",
    terminal_font: "fira-code",
    theme_mode: "sync",
    theme_light: "light",
    theme_dark: "dark",
  });
  expect(seeded.status).toBe(200);
});

describe("PUT /users/{user}/appearance", () => {
  const valid = { theme_preference: "dark", terminal_font: "fira-code" };
  let stored: Record<string, string>;
  beforeAll(async () => {
    stored = await configsOf(w.app, w.member.id);
  });

  const rejects = async (body: unknown, status: number, expected: unknown) => {
    const res = await call(w.app, "PUT", "/users/me/appearance", w.member.token, body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expected);
    expect(await configsOf(w.app, w.member.id)).toEqual(stored);
  };

  it("rejects an unknown or empty font with Coder's message alone", async () => {
    await rejects({ ...valid, terminal_font: "foobar" }, 400, { message: "Unsupported font family." });
    await rejects({ ...valid, terminal_font: "" }, 400, { message: "Unsupported font family." });
    await rejects({ theme_preference: "dark" }, 400, { message: "Unsupported font family." });
  });

  it("requires a non-empty theme_preference", async () => {
    const expected = { message: "Validation failed.", validations: [{ field: "theme_preference", detail: tagged("required", "") }] };
    await rejects({ ...valid, theme_preference: "" }, 400, expected);
    await rejects({ terminal_font: "fira-code" }, 400, expected);
  });

  it("rejects an unknown theme mode", async () => {
    await rejects({ ...valid, theme_mode: "wizard" }, 400, {
      message: "Validation failed.",
      validations: [{ field: "theme_mode", detail: tagged("oneof", "wizard") }],
    });
  });

  it("rejects unknown theme names in the slots", async () => {
    await rejects({ ...valid, theme_mode: "sync", theme_light: "neon", theme_dark: "midnight" }, 400, {
      message: "Validation failed.",
      validations: [
        { field: "theme_light", detail: tagged("oneof", "neon") },
        { field: "theme_dark", detail: tagged("oneof", "midnight") },
      ],
    });
    await rejects({ ...valid, theme_mode: "single", theme_dark: "auto" }, 400, {
      message: "Validation failed.",
      validations: [{ field: "theme_dark", detail: tagged("oneof", "auto") }],
    });
  });

  it("sync mode needs both slots", async () => {
    await rejects({ ...valid, theme_mode: "sync", theme_light: "light" }, 400, {
      message: "Validation failed.",
      validations: [{ field: "theme_dark", detail: tagged("required_if", "") }],
    });
  });

  it("lists every failing field at once", async () => {
    const res = await call(w.app, "PUT", "/users/me/appearance", w.member.token, { theme_preference: "", theme_mode: "wizard" });
    expect(res.status).toBe(400);
    expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual(["theme_preference", "theme_mode"]);
  });

  it("rejects a body of the wrong type as a validation failure, never a 500", async () => {
    await rejects({ theme_preference: 42, terminal_font: "fira-code" }, 400, {
      message: "Validation failed.",
      validations: [{ field: "theme_preference", detail: tagged("required", "42") }],
    });
  });

  it("rejects an empty or malformed body as Coder's decoder does", async () => {
    const empty = await w.app.request(`${API}/users/me/appearance`, { method: "PUT", token: w.member.token });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ message: "Request body must be valid JSON.", detail: "EOF" });
    const broken = await w.app.request(`${API}/users/me/appearance`, {
      method: "PUT",
      token: w.member.token,
      headers: { "content-type": "application/json" },
      body: "{theme",
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ message: "Request body must be valid JSON." });
    expect(await configsOf(w.app, w.member.id)).toEqual(stored);
  });
});

describe("PUT /users/{user}/preferences", () => {
  beforeAll(async () => {
    const res = await call(w.app, "PUT", "/users/me/preferences", w.member.token, { thinking_display_mode: "preview" });
    expect(res.status).toBe(200);
  });

  const cases = [
    ["thinking_display_mode", "Invalid thinking display mode.", "must be one of: auto, preview, always_expanded, always_collapsed"],
    ["code_diff_display_mode", "Invalid code diff display mode.", "must be one of: auto, always_expanded, always_collapsed"],
    ["agent_chat_send_shortcut", "Invalid agent chat send shortcut.", "must be one of: enter, modifier_enter"],
  ] as const;

  for (const [field, message, detail] of cases) {
    it(`rejects an unknown ${field} with exactly one validation naming it`, async () => {
      const before = await configsOf(w.app, w.member.id);
      const res = await call(w.app, "PUT", "/users/me/preferences", w.member.token, {
        task_notification_alert_dismissed: true,
        [field]: "sideways",
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message, validations: [{ field, detail }] });
      // Nothing was written, not even the valid field sent alongside.
      expect(await configsOf(w.app, w.member.id)).toEqual(before);
      expect((await call(w.app, "GET", "/users/me/preferences", w.member.token)).body.thinking_display_mode).toBe("preview");
    });
  }

  it("rejects a value of the wrong type with a 400", async () => {
    const res = await call(w.app, "PUT", "/users/me/preferences", w.member.token, { task_notification_alert_dismissed: "yes" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Validation failed.");
    expect(res.body.validations).toHaveLength(1);
    expect(res.body.validations[0].field).toBe("task_notification_alert_dismissed");
  });
});

describe("GET /users/{user}/autofill-parameters", () => {
  const path = "/users/me/autofill-parameters";
  const invalid = async (query: string, validations: unknown) => {
    const res = await call(w.app, "GET", `${path}${query}`, w.member.token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: "Invalid query parameters.", validations });
  };

  it("requires template_id", async () => {
    const required = [{ field: "template_id", detail: 'Query param "template_id" is required and cannot be empty' }];
    await invalid("", required);
    await invalid("?template_id=", required);
  });

  it("rejects any other query parameter", async () => {
    await invalid("?template_id=7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70&foo=bar", [
      { field: "foo", detail: '"foo" is not a valid query param' },
    ]);
  });

  it("requires a UUID, given once", async () => {
    await invalid("?template_id=nope", [{ field: "template_id", detail: 'Query param "template_id" must be a valid uuid' }]);
    const id = "7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70";
    await invalid(`?template_id=${id}&template_id=${id}`, [
      {
        field: "template_id",
        detail: 'Query param "template_id" provided more than once, found 2 times. Only provide 1 instance of this query param.',
      },
    ]);
  });

  it("reports every problem at once", async () => {
    await invalid("?template_id=nope&limit=3", [
      { field: "template_id", detail: 'Query param "template_id" must be a valid uuid' },
      { field: "limit", detail: '"limit" is not a valid query param' },
    ]);
  });
});

describe("GET /users/oidc-claims", () => {
  it("rejects a password user", async () => {
    const res = await call(w.app, "GET", "/users/oidc-claims", w.member.token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: "User is not an OIDC user." });
  });
});

describe("GET /users/{user}/organizations/{organizationname}", () => {
  it("is 404 for an unknown name", async () => {
    const res = await call(w.app, "GET", "/users/me/organizations/nope", w.member.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });

  it("is 404 for a deleted organization, even to an owner", async () => {
    await addOrganization(w.app, "retired", { members: [w.owner.id], deleted: true });
    const res = await call(w.app, "GET", "/users/me/organizations/retired", w.owner.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NOT_FOUND);
  });
});

describe("{user} that does not resolve", () => {
  it("is 404 on every settings route", async () => {
    for (const [method, suffix] of [
      ["GET", "appearance"],
      ["GET", "preferences"],
      ["GET", "login-type"],
      ["GET", "gitsshkey"],
      ["PUT", "gitsshkey"],
      ["GET", "autofill-parameters?template_id=7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70"],
      ["GET", "organizations"],
      ["GET", "organizations/coder"],
    ] as const) {
      for (const user of ["nobody", "00000000-0000-4000-8000-000000000000"]) {
        const res = await call(w.app, method, `/users/${user}/${suffix}`, w.owner.token);
        expect(res.status, `${method} ${user}/${suffix}`).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
    }
  });
});
