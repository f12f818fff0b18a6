// GET /users/{user}/autofill-parameters doing its job (https://github.com/coder/coder/blob/main/coderd/users.go):
// the latest values per parameter name, for the user and the template asked about.
import { describe, expect, it } from "vitest";
import { addParameterValue, call, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();

const _EMPTY_APPEARANCE = { theme_preference: "", terminal_font: "", theme_mode: "", theme_light: "", theme_dark: "" };

describe("autofill parameters", () => {
  const template = "7c3e0b6a-3f1e-4b8e-9a51-2d3c4b5a6f70";
  const otherTemplate = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const at = (minutes: number) => new Date(Date.UTC(2025, 0, 1, 12, minutes));

  it("is [] when the user has no values for the template", async () => {
    const res = await call(w.app, "GET", `/users/me/autofill-parameters?template_id=${template}`, w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it("returns the latest non-ephemeral value per name, newest first", async () => {
    const id = w.member.id;
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "foo", createdAt: at(1) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "ephemeral", value: "x", ephemeral: true, createdAt: at(1) });
    await addParameterValue(w.app, { userId: id, templateId: otherTemplate, name: "param", value: "elsewhere", createdAt: at(9) });
    await addParameterValue(w.app, { userId: w.other.id, templateId: template, name: "param", value: "not-mine", createdAt: at(9) });
    let res = await call(w.app, "GET", `/users/me/autofill-parameters?template_id=${template}`, w.member.token);
    expect(res.body).toEqual([{ name: "param", value: "foo" }]);

    // A new build: the newer value wins, an ephemeral value never does.
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "foo_new", createdAt: at(2) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "param", value: "eph", ephemeral: true, createdAt: at(3) });
    await addParameterValue(w.app, { userId: id, templateId: template, name: "region", value: "eu", createdAt: at(4) });
    res = await call(w.app, "GET", `/users/${w.member.username}/autofill-parameters?template_id=${template.toUpperCase()}`, w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: "region", value: "eu" },
      { name: "param", value: "foo_new" },
    ]);
  });

  it("an owner may read a member's values", async () => {
    const res = await call(w.app, "GET", `/users/${w.member.id}/autofill-parameters?template_id=${template}`, w.owner.token);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
  });
});
