// GET /api/v2/auth/scopes in both shapes Coder's clients read: the newest `{external}` and the late-2025
// `ScopeCatalog` (codersdk ScopeCatalog; coderd `listScopeCatalog`), in one body.
import { describe, expect, it } from "vitest";
import { SCOPE_CATALOGUE, canonicalScope, scopeGrants } from "../../../src/auth/scopes.ts";
import { call, useWorld } from "../../support/harness.ts";

const w = useWorld();

interface Catalog {
  external: string[];
  specials: string[];
  low_level: { name: string; resource: string; action: string }[];
  composites: { name: string; expands_to: string[] }[];
}

const catalog = async () => {
  const res = await call<Catalog>(w.app, "GET", "/auth/scopes");
  expect(res.status).toBe(200);
  return res.body;
};

describe("GET /api/v2/auth/scopes: both client generations", () => {
  it("has exactly the four fields, each scope listed once across the ScopeCatalog groups", async () => {
    const body = await catalog();
    expect(Object.keys(body).sort()).toEqual(["composites", "external", "low_level", "specials"]);
    const grouped = [...body.specials, ...body.low_level.map((s) => s.name), ...body.composites.map((s) => s.name)];
    expect(grouped.sort()).toEqual(body.external);
    expect(body.external).toEqual(SCOPE_CATALOGUE.map((s) => s.name));
  });

  it("lists the two specials", async () => {
    expect((await catalog()).specials).toEqual(["coder:all", "coder:application_connect"]);
  });

  it("gives each low-level scope its resource and action, `*` for a wildcard", async () => {
    const { low_level } = await catalog();
    for (const entry of low_level) {
      expect(entry).toEqual({ name: `${entry.resource}:${entry.action}`, resource: entry.resource, action: entry.action });
      expect(scopeGrants(entry.name)).toEqual({ [entry.resource]: [entry.action] });
    }
    expect(low_level).toContainEqual({ name: "workspace:*", resource: "workspace", action: "*" });
    expect(low_level).toContainEqual({ name: "user:read", resource: "user", action: "read" });
  });

  it("expands each composite to the resource:action pairs it grants", async () => {
    const { composites } = await catalog();
    expect(composites.map((c) => c.name)).toContain("coder:workspaces.create");
    for (const composite of composites) {
      expect(composite.name.startsWith("coder:")).toBe(true);
      const grants = scopeGrants(composite.name)!;
      const pairs = Object.entries(grants).flatMap(([resource, actions]) => actions!.map((a) => `${resource}:${a}`));
      expect(composite.expands_to).toEqual(pairs);
    }
    const manage = composites.find((c) => c.name === "coder:apikeys.manage_self")!;
    expect(manage.expands_to).toEqual(["api_key:read", "api_key:create", "api_key:update", "api_key:delete"]);
  });

  it("lists only names a token may be created with", async () => {
    for (const name of (await catalog()).external) expect(canonicalScope(name)).toBe(name);
  });
});
