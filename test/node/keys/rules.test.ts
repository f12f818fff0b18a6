// The pure rules under the key endpoints: Go durations, exact nanosecond parsing, allow list
// normalisation, and how roles, scopes and allow lists combine in `can()`.
import { describe, expect, it } from "vitest";
import { can, type Subject } from "../../../src/auth/rbac.ts";
import { canonicalScope, legacyScope, SCOPE_CATALOGUE, scopeGrants } from "../../../src/auth/scopes.ts";
import { parseAllowList, uncoveredEntry } from "../../../src/keys/allow-list.ts";
import { formatGoDuration, msToNs, nsToMs, nsToWholeMs, parseGoDuration } from "../../../src/compat/duration.ts";
import { readLifetime, tokenConfigJson } from "../../../src/keys/lifetime.ts";

describe("Go durations", () => {
  it.each([
    [0n, "0s"],
    [1n, "1ns"],
    [1_500n, "1.5µs"],
    [250_000_000n, "250ms"],
    [1_500_000_000n, "1.5s"],
    [90_000_000_000n, "1m30s"],
    [604_800_000_000_000n, "168h0m0s"],
    [3_155_760_000_000_000_000n, "876600h0m0s"],
    [-3_600_000_000_000n, "-1h0m0s"],
  ])("%s ns → %s", (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });

  it("converts configured milliseconds to exact nanoseconds", () => {
    expect(msToNs(876600 * 3600_000)).toBe(3_155_760_000_000_000_000n);
    expect(msToNs(0.0015)).toBe(1_500n);
    expect(tokenConfigJson(3_155_760_000_000_000_000n)).toBe('{"max_token_lifetime":3155760000000000000}');
  });

  it("parses configured durations exactly, in nanoseconds", () => {
    expect(parseGoDuration("1h30m")).toBe(5_400_000_000_000n);
    expect(parseGoDuration("1.5ms")).toBe(1_500_000n);
    expect(parseGoDuration("1.1h")).toBe(3_960_000_000_000n);
    expect(parseGoDuration("876600h")).toBe(3_155_760_000_000_000_000n);
    for (const bad of ["", "5", "-1m", "1d", "1h "]) expect(parseGoDuration(bad)).toBeUndefined();
    expect(nsToMs(1_500n)).toBe(0.0015);
    expect(nsToWholeMs(1_999_999n)).toBe(1);
  });
});

describe("reading lifetime from JSON text", () => {
  it("keeps every digit of a large integer", () => {
    expect(readLifetime('{"lifetime": 3155760000000000001}')).toEqual({ ok: true, ns: 3_155_760_000_000_000_001n });
    expect(readLifetime('{"lifetime": 9223372036854775807}')).toEqual({ ok: true, ns: 9_223_372_036_854_775_807n });
  });

  it("reads only the top-level field", () => {
    expect(readLifetime('{"x": {"lifetime": 5}}')).toEqual({ ok: true, ns: undefined });
    expect(readLifetime('{"lifetime": null}')).toEqual({ ok: true, ns: undefined });
    expect(readLifetime("{}")).toEqual({ ok: true, ns: undefined });
  });

  it("refuses what Go cannot decode into an int64", () => {
    expect(readLifetime('{"lifetime": 9223372036854775808}').ok).toBe(false);
    expect(readLifetime('{"lifetime": 2.0}').ok).toBe(false);
    expect(readLifetime('{"lifetime": 1E3}').ok).toBe(false);
  });
});

describe("allow list normalisation", () => {
  const a = "0b4f7c1e-9d3a-4c55-8e21-6f0a1b2c3d4e";
  const b = "1c5e8d2f-0e4b-4d66-9f32-7a1b2c3d4e5f";

  it("collapses on *:*, lets type:* shadow ids, de-duplicates and sorts", () => {
    expect(parseAllowList([`workspace:${a}`, "*:*"])).toEqual({ ok: true, entries: ["*:*"] });
    expect(
      parseAllowList([{ type: "workspace", id: b }, { type: "user", id: a }, "workspace:*", { type: "user", id: a.toUpperCase() }]),
    ).toEqual({
      ok: true,
      entries: [`user:${a}`, "workspace:*"],
    });
    expect(parseAllowList([`user:${b}`, `user:${a}`, `*:${a}`])).toEqual({ ok: true, entries: [`*:${a}`, `user:${a}`, `user:${b}`] });
    expect(parseAllowList([])).toEqual({ ok: true, entries: undefined });
    expect(parseAllowList(Array.from({ length: 128 }, () => "user:*"))).toEqual({ ok: true, entries: ["user:*"] });
  });

  it("knows which entries a narrower list covers", () => {
    expect(uncoveredEntry(["*:*"], ["user:*"])).toBeUndefined();
    expect(uncoveredEntry(["user:*"], [`user:${a}`])).toBeUndefined();
    expect(uncoveredEntry([`user:${a}`], ["user:*"])).toBe("user:*");
    expect(uncoveredEntry([`*:${a}`], [`user:${a}`, `user:${b}`])).toBe(`user:${b}`);
  });
});

describe("the scope catalogue", () => {
  it("maps aliases, refuses strangers, and answers the legacy single scope", () => {
    expect(canonicalScope("all")).toBe("coder:all");
    expect(canonicalScope("application_connect")).toBe("coder:application_connect");
    expect(canonicalScope("user:read")).toBe("user:read");
    expect(canonicalScope("user:create")).toBeUndefined();
    expect(canonicalScope("coder:everything")).toBeUndefined();
    expect(legacyScope(["coder:all", "coder:application_connect"])).toBe("application_connect");
    expect(legacyScope(["user:read", "coder:all"])).toBe("all");
    expect(legacyScope(["user:read"])).toBe("");
  });

  it("expands composites to their low-level permissions", () => {
    expect(scopeGrants("coder:apikeys.manage_self")).toEqual({ api_key: ["read", "create", "update", "delete"] });
    expect(scopeGrants("coder:workspaces.access")?.workspace).toEqual(["read", "ssh", "application_connect"]);
    for (const entry of SCOPE_CATALOGUE) expect(Object.keys(entry.grants).length, entry.name).toBeGreaterThan(0);
  });
});

describe("can(): roles ∩ scopes ∩ allow list", () => {
  const me = "2d6f9e30-1f5c-4e77-8a43-8b2c3d4e5f60";
  const you = "3e7a0f41-2a6d-4f88-9b54-9c3d4e5f6071";
  const subject = (over: Partial<Subject>): Subject => ({
    userId: me,
    siteRoles: [],
    scopes: ["coder:all"],
    allowList: ["*:*"],
    memberships: [],
    ...over,
  });

  it("scopes narrow roles and never widen them", () => {
    const reader = subject({ scopes: ["user:read"] });
    expect(can(reader, "user", "read", { ownerId: me })).toBe(true);
    expect(can(reader, "user", "update_personal", { ownerId: me })).toBe(false);
    expect(can(subject({ scopes: ["user:*"] }), "user", "read", { ownerId: you })).toBe(false);
    expect(can(subject({ siteRoles: ["owner"], scopes: ["user:read"] }), "user", "read", { ownerId: you })).toBe(true);
    expect(can(subject({ siteRoles: ["owner"], scopes: ["user:read"] }), "user", "delete", { ownerId: you })).toBe(false);
    expect(can(subject({ scopes: ["no-such-scope"] }), "user", "read", { ownerId: me })).toBe(false);
  });

  it("allow lists name the objects a token may touch", () => {
    const owner = subject({ siteRoles: ["owner"], allowList: [`user:${you}`] });
    expect(can(owner, "user", "read", { ownerId: you })).toBe(true);
    expect(can(owner, "user", "read", { ownerId: me })).toBe(false);
    // A question about every user, or an object of another type, needs a wildcard.
    expect(can(owner, "user", "read")).toBe(false);
    expect(can(owner, "api_key", "read", { ownerId: you, id: "AAAAAAAAAA" })).toBe(false);
    expect(can(subject({ allowList: ["api_key:*"] }), "api_key", "create", { ownerId: me })).toBe(true);
    expect(can(subject({ allowList: [`*:${me}`] }), "user", "read", { ownerId: me })).toBe(true);
  });
});
