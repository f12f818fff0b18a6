// GET /users refusals: the q language's validations and the pagination parameters, in Coder's words
// (https://github.com/coder/coder/blob/main/coderd/searchquery/search.go, https://github.com/coder/coder/blob/main/coderd/pagination.go).
import { beforeAll, describe, expect, it, vi } from "vitest";
import { json, listUsers, USERS, useTestApp } from "../../support/harness.ts";

// The root config's timeouts do not reach the `node` project; argon2 on a shared machine needs them.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const LAYOUT = "2006-01-02T15:04:05.999999999Z07:00";

const { app, owner } = useTestApp({ owner: true });
let token = "";

beforeAll(async () => {
  token = owner.token;
});

async function searchError(q: string) {
  const res = await listUsers(app, token, { q });
  expect(res.status).toBe(400);
  const err = await json(res);
  expect(err.message).toBe("Invalid user search query.");
  return err.validations;
}

const timeDetail = (key: string, error: string) => `Query param "${key}" must be a valid date format (${LAYOUT}): ${error}`;

describe("GET /users invalid q", () => {
  it("requires a session", async () => {
    const res = await app.request(USERS);
    expect(res.status).toBe(401);
  });

  it("rejects unknown keys", async () => {
    expect(await searchError("foo:bar")).toEqual([{ field: "foo", detail: 'Query param "foo" is not a valid query param' }]);
  });

  it("rejects unknown statuses and login types", async () => {
    expect(await searchError("status:bogus,active,asleep")).toEqual([
      { field: "status", detail: 'Query param "status" has invalid values: bogus,asleep' },
    ]);
    expect(await searchError("login_type:saml")).toEqual([
      { field: "login_type", detail: 'Query param "login_type" has invalid values: saml' },
    ]);
  });

  it("rejects an element with two ':'", async () => {
    expect(await searchError("a:b:c")).toEqual([{ field: "q", detail: `Query element "a:b:c" can only contain 1 ':'` }]);
  });

  it("rejects an element starting or ending with ':'", async () => {
    expect(await searchError(":x")).toEqual([{ field: "q", detail: `Query element ":x" cannot start or end with ':'` }]);
    expect(await searchError("alice status:")).toEqual([{ field: "q", detail: `Query element "status:" cannot start or end with ':'` }]);
  });

  it("reports the lower-cased element, quotes included", async () => {
    expect(await searchError('Name:"A B":C')).toEqual([{ field: "q", detail: `Query element "name:\\"a b\\":c" can only contain 1 ':'` }]);
  });

  it("rejects times that are not RFC 3339 with Go's parse error", async () => {
    const cases: [string, string][] = [
      ["2023-01-01", `parsing time "2023-01-01" as "${LAYOUT}": cannot parse "" as "T"`],
      ["23-01-01T00:00:00Z", `parsing time "23-01-01T00:00:00Z" as "${LAYOUT}": cannot parse "23-01-01T00:00:00Z" as "2006"`],
      ["2023-13-01T00:00:00Z", `parsing time "2023-13-01T00:00:00Z": month out of range`],
      ["2023-02-30T00:00:00Z", `parsing time "2023-02-30T00:00:00Z": day out of range`],
      ["2023-01-01T24:00:00Z", `parsing time "2023-01-01T24:00:00Z": hour out of range`],
      ["2023-01-01T00:00:00", `parsing time "2023-01-01T00:00:00" as "${LAYOUT}": cannot parse "" as "Z07:00"`],
      ["2023-01-01T00:00:00ZX", `parsing time "2023-01-01T00:00:00ZX": extra text: "X"`],
    ];
    for (const [value, error] of cases) {
      expect(await searchError(`last_seen_before:"${value}"`)).toEqual([
        { field: "last_seen_before", detail: timeDetail("last_seen_before", error) },
      ]);
    }
  });

  it("rejects bad integers and booleans with strconv's wording", async () => {
    expect(await searchError("github_com_user_id:seven")).toEqual([
      {
        field: "github_com_user_id",
        detail: 'Query param "github_com_user_id" must be a valid 64-bit integer: strconv.ParseInt: parsing "seven": invalid syntax',
      },
    ]);
    expect(await searchError("github_com_user_id:9223372036854775808")).toEqual([
      {
        field: "github_com_user_id",
        detail:
          'Query param "github_com_user_id" must be a valid 64-bit integer: strconv.ParseInt: parsing "9223372036854775808": value out of range',
      },
    ]);
    expect(await searchError("service_account:maybe")).toEqual([
      {
        field: "service_account",
        detail: 'Query param "service_account" must be a valid boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
      },
    ]);
  });

  it("gathers every invalid key at once", async () => {
    const v = await searchError('status:bogus created_after:"yesterday" foo:1 login_type:x');
    expect(v?.map((e) => e.field)).toEqual(["status", "created_after", "login_type", "foo"]);
  });
});

describe("GET /users invalid pagination", () => {
  async function pageError(params: Record<string, string>) {
    const res = await listUsers(app, token, params);
    expect(res.status).toBe(400);
    const err = await json(res);
    expect(err.message).toBe("Query parameters have invalid values.");
    return err.validations;
  }
  const intDetail = (key: string, error: string) => `Query param "${key}" must be a valid 32-bit positive integer: ${error}`;

  it("rejects negative, non-numeric and oversized limits and offsets", async () => {
    expect(await pageError({ limit: "-1" })).toEqual([{ field: "limit", detail: intDetail("limit", "value is negative") }]);
    expect(await pageError({ limit: "ten" })).toEqual([
      { field: "limit", detail: intDetail("limit", 'strconv.ParseInt: parsing "ten": invalid syntax') },
    ]);
    expect(await pageError({ offset: "2147483648" })).toEqual([
      { field: "offset", detail: intDetail("offset", 'strconv.ParseInt: parsing "2147483648": value out of range') },
    ]);
    expect(await pageError({ limit: "1.5" })).toEqual([
      { field: "limit", detail: intDetail("limit", 'strconv.ParseInt: parsing "1.5": invalid syntax') },
    ]);
  });

  it("rejects a malformed after_id", async () => {
    expect(await pageError({ after_id: "nope" })).toEqual([{ field: "after_id", detail: 'Query param "after_id" must be a valid uuid' }]);
  });

  it("reports every bad parameter together, in Coder's order", async () => {
    const v = await pageError({ offset: "-2", limit: "x", after_id: "y" });
    expect(v?.map((e) => e.field)).toEqual(["after_id", "limit", "offset"]);
  });

  it("checks q before the pagination parameters", async () => {
    const res = await listUsers(app, token, { q: "foo:bar", limit: "-1" });
    expect((await json(res)).message).toBe("Invalid user search query.");
  });
});
