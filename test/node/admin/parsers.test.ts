// The pure parsers behind GET /users and POST /users: Go-compatible times, UUIDs and the q tokeniser
// (https://github.com/coder/coder/blob/main/coderd/searchquery/search.go). No database: these pin the exact values the SQL receives.
import { describe, expect, it } from "vitest";
import { parseGoBool, parseGoInt, parseUuid } from "../../../src/compat/go-parse.ts";
import { parseRfc3339Nano } from "../../../src/compat/time.ts";
import { parseUserSearch } from "../../../src/users/admin/search.ts";

describe("parseRfc3339Nano", () => {
  it("normalises to a UTC timestamptz literal keeping every fractional digit Go keeps", () => {
    expect(parseRfc3339Nano("2023-01-16T00:00:00+12:00")).toEqual({ ok: true, literal: "2023-01-15 12:00:00+00", isZero: false });
    expect(parseRfc3339Nano("2023-01-01T00:00:00.1234567891234Z")).toMatchObject({ literal: "2023-01-01 00:00:00.123456789+00" });
    expect(parseRfc3339Nano("2023-01-01T00:00:00,5Z")).toMatchObject({ literal: "2023-01-01 00:00:00.5+00" });
    expect(parseRfc3339Nano("2023-01-01T7:05:09Z")).toMatchObject({ literal: "2023-01-01 07:05:09+00" });
  });

  it("spells years Postgres lacks and offsets it refuses in a form it accepts", () => {
    expect(parseRfc3339Nano("0000-06-01T00:00:00Z")).toMatchObject({ literal: "0001-06-01 00:00:00+00 BC" });
    expect(parseRfc3339Nano("2023-01-01T00:00:00+24:00")).toMatchObject({ literal: "2022-12-31 00:00:00+00" });
    expect(parseRfc3339Nano("0024-02-29T00:00:00Z")).toMatchObject({ literal: "0024-02-29 00:00:00+00" });
  });

  it("recognises Go's zero time in any offset as 'no filter'", () => {
    expect(parseRfc3339Nano("0001-01-01T00:00:00Z")).toMatchObject({ isZero: true });
    expect(parseRfc3339Nano("0001-01-01T01:00:00+01:00")).toMatchObject({ isZero: true });
    expect(parseRfc3339Nano("0001-01-01T00:00:00.000000001Z")).toMatchObject({ isZero: false });
  });

  it("rejects what Go rejects, with Go's message", () => {
    expect(parseRfc3339Nano("2023-01-01T00:00:60Z")).toEqual({
      ok: false,
      error: 'parsing time "2023-01-01T00:00:60Z": second out of range',
    });
    expect(parseRfc3339Nano("2023-01-01T00:60:00Z")).toEqual({
      ok: false,
      error: 'parsing time "2023-01-01T00:60:00Z": minute out of range',
    });
    expect(parseRfc3339Nano("2023-02-29T00:00:00Z")).toEqual({ ok: false, error: 'parsing time "2023-02-29T00:00:00Z": day out of range' });
    expect(parseRfc3339Nano("2023-01-01T00:00:00+25:00")).toEqual({
      ok: false,
      error: 'parsing time "2023-01-01T00:00:00+25:00": time zone offset hour out of range',
    });
    expect(parseRfc3339Nano("2023-1-01T00:00:00Z")).toMatchObject({
      error: expect.stringContaining('cannot parse "1-01T00:00:00Z" as "01"'),
    });
  });
});

describe("Go number and UUID parsing", () => {
  it("parseGoInt keeps 64-bit values exact and honours the bit size", () => {
    expect(parseGoInt("9223372036854775807", 64)).toEqual({ value: 9223372036854775807n });
    expect(parseGoInt("+007", 32)).toEqual({ value: 7n });
    expect(parseGoInt("-2147483649", 32)).toEqual({ error: 'strconv.ParseInt: parsing "-2147483649": value out of range' });
    expect(parseGoInt("1e3", 32)).toEqual({ error: 'strconv.ParseInt: parsing "1e3": invalid syntax' });
  });

  it("parseGoBool takes strconv.ParseBool's spellings and nothing else", () => {
    for (const s of ["1", "t", "T", "TRUE", "true", "True"]) expect(parseGoBool(s)).toEqual({ value: true });
    for (const s of ["0", "f", "F", "FALSE", "false", "False"]) expect(parseGoBool(s)).toEqual({ value: false });
    expect(parseGoBool("yes")).toEqual({ error: 'strconv.ParseBool: parsing "yes": invalid syntax' });
    expect(parseGoBool("tRUE")).toMatchObject({ error: expect.any(String) });
  });

  it("parseUuid accepts uuid.Parse's four forms and reports its errors", () => {
    const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    for (const s of [id.toUpperCase(), `{${id}}`, `urn:uuid:${id}`, id.replaceAll("-", "")]) expect(parseUuid(s)).toEqual({ id });
    expect(parseUuid("abc")).toEqual({ error: "invalid UUID length: 3" });
    expect(parseUuid(`(${id})`)).toEqual({ error: "invalid UUID format" });
    expect(parseUuid(`urn:uuix:${id}`)).toEqual({ error: 'invalid urn prefix: "urn:uuix:"' });
  });
});

describe("parseUserSearch", () => {
  it("lower-cases, keeps quotes on free text, strips them from key values", () => {
    expect(parseUserSearch('"Foo Bar" Name:"Ann Lee"')).toMatchObject({ ok: true, search: { search: '"foo bar"', name: "ann lee" } });
  });

  it("keeps the first value of a key and of free text", () => {
    expect(parseUserSearch("one two status:dormant status:active")).toMatchObject({ search: { search: "one", status: ["dormant"] } });
  });

  it("splits lists on commas and keeps unknown role names (they just match nobody)", () => {
    expect(parseUserSearch("role:Owner,custom login_type:github,oidc")).toMatchObject({
      search: { roles: ["owner", "custom"], loginTypes: ["github", "oidc"] },
    });
  });

  it("ignores runs of spaces and empty values", () => {
    expect(parseUserSearch("   status:active    ")).toMatchObject({ ok: true, search: { status: ["active"], search: "" } });
    const empty = parseUserSearch('github_com_user_id:""');
    expect(empty.ok && empty.search.githubComUserId).toBeUndefined();
  });
});
