// The user's organizations (https://github.com/coder/coder/blob/main/coderd/users.go): GET /users/{user}/organizations
// and GET /users/{user}/organizations/{organizationname}.
import { describe, expect, it } from "vitest";
import { addOrganization, call, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();

const _EMPTY_APPEARANCE = { theme_preference: "", terminal_font: "", theme_mode: "", theme_light: "", theme_dark: "" };

describe("organizations", () => {
  it("lists the user's organizations, the default one included", async () => {
    const res = await call(w.app, "GET", "/users/me/organizations", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toEqual({
      id: w.owner.orgId,
      name: "coder",
      display_name: "Coder",
      description: "Builtin default organization.",
      icon: "",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      updated_at: expect.stringMatching(/Z$/),
      is_default: true,
    });
  });

  it("includes further memberships and leaves out deleted organizations", async () => {
    const extra = await addOrganization(w.app, "Platform", { members: [w.other.id] });
    await addOrganization(w.app, "gone", { members: [w.other.id], deleted: true });
    const res = await call(w.app, "GET", `/users/${w.other.username}/organizations`, w.owner.token);
    expect(res.status).toBe(200);
    expect(res.body.map((o: { name: string }) => o.name)).toEqual(["coder", "Platform"]);
    expect(res.body[1]).toMatchObject({
      id: extra.id,
      display_name: "PLATFORM",
      description: "The Platform org",
      icon: "/icon/x.svg",
      is_default: false,
    });
    expect((await call(w.app, "GET", "/users/me/organizations", w.other.token)).body).toEqual(res.body);
  });

  it("finds an organization by name, case-insensitively", async () => {
    const res = await call(w.app, "GET", "/users/me/organizations/coder", w.member.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: w.owner.orgId, name: "coder", is_default: true });
    expect((await call(w.app, "GET", "/users/me/organizations/CODER", w.member.token)).body.id).toBe(w.owner.orgId);
    const platform = await call(w.app, "GET", "/users/me/organizations/platform", w.other.token);
    expect(platform.status).toBe(200);
    expect(platform.body.name).toBe("Platform");
  });

  it("needs only the user to be visible: an auditor reads any organization through another user", async () => {
    const res = await call(w.app, "GET", `/users/${w.member.username}/organizations/platform`, w.auditor.token);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe("Platform");
  });
});
