// GET /users/roles: the site roles the dashboard's role picker offers (Coder's coderd/roles.go
// `AssignableSiteRoles`), with `assignable` following the rule PUT /users/{user}/roles enforces.
import { beforeAll, describe, expect, it } from "vitest";
import { type AddedUser, addUser, call, createToken, FORBIDDEN, useRolesWorld } from "../../support/harness.ts";

const w = useRolesWorld();
let templateAdmin: AddedUser;
beforeAll(async () => {
  templateAdmin = await addUser(w.app, { username: "templateadmin", roles: ["template-admin"], login: true });
});

const LISTED = ["owner", "user-admin", "template-admin", "auditor"];

async function assignable(token: string): Promise<Record<string, boolean>> {
  const res = await call<{ name: string; assignable: boolean }[]>(w.app, "GET", "/users/roles", token);
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.map((r) => [r.name, r.assignable]));
}

describe("GET /users/roles", () => {
  it("lists every built-in site role but the implied member, in Coder's AssignableRoles shape", async () => {
    const res = await call(w.app, "GET", "/users/roles", w.owner.token);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { name: string }) => r.name)).toEqual(LISTED);
    expect(res.body[0]).toEqual({
      name: "owner",
      display_name: "Owner",
      organization_id: "",
      site_permissions: [{ negate: false, resource_type: "*", action: "*" }],
      organization_permissions: [],
      organization_member_permissions: [],
      user_permissions: [],
      assignable: true,
      built_in: true,
    });
    const auditor = res.body.find((r: { name: string }) => r.name === "auditor");
    expect(auditor.display_name).toBe("Auditor");
    expect(auditor.site_permissions).toContainEqual({ negate: false, resource_type: "audit_log", action: "read" });
    // Sorted by resource type, as Coder's rbac.Permissions sorts them.
    const types = auditor.site_permissions.map((p: { resource_type: string }) => p.resource_type);
    expect(types).toEqual([...types].sort());
  });

  it("marks every role assignable for an owner", async () => {
    expect(await assignable(w.owner.token)).toEqual(Object.fromEntries(LISTED.map((r) => [r, true])));
  });

  it.each([
    ["user-admin", () => w.userAdmin.token],
    ["template-admin", () => templateAdmin.token],
    ["auditor", () => w.auditor.token],
    ["member", () => w.member.token],
  ])("marks nothing assignable for a %s (a user admin grants only the implied member)", async (_role, token) => {
    expect(await assignable(token())).toEqual(Object.fromEntries(LISTED.map((r) => [r, false])));
  });

  it("agrees with PUT /users/{user}/roles: what a user admin may not grant it may not assign", async () => {
    const res = await call(w.app, "PUT", `/users/${w.other.id}/roles`, w.userAdmin.token, { roles: ["auditor"] });
    expect(res.status).toBe(403);
  });

  it("answers 401 without a session", async () => {
    const res = await call(w.app, "GET", "/users/roles");
    expect(res.status).toBe(401);
  });

  it("answers 403 to a token whose scopes do not reach role assignments", async () => {
    const { key } = await createToken(w.app, w.owner.token, { token_name: "roles-user-read", scopes: ["user:read"] });
    const res = await call(w.app, "GET", "/users/roles", key);
    expect(res).toMatchObject({ status: 403, body: FORBIDDEN });
  });
});
