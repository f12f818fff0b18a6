// The `q` language of GET /users (Coder's coderd/searchquery/search.go `Users`), tokenised and validated the way Coder's
// searchquery package does, quirks included: the whole query is lower-cased, a quoted free-text term keeps
// its quotes, and only the first value of a repeated key counts.
import type { LoginType, UserStatus } from "../../db/schema.ts";
import { loginType, userStatus } from "../../db/schema.ts";
import type { Validation } from "../../http/errors.ts";
import { parseGoBool, parseGoInt } from "../../compat/go-parse.ts";
import { parseRfc3339Nano, RFC3339_NANO } from "../../compat/time.ts";

export interface UserSearch {
  /** Substring of username or email ("" = no filter). */
  search: string;
  /** Substring of the display name ("" = no filter). */
  name: string;
  status: UserStatus[];
  roles: string[];
  loginTypes: LoginType[];
  /** timestamptz literals in UTC; undefined = no filter. */
  lastSeenBefore?: string;
  lastSeenAfter?: string;
  createdBefore?: string;
  createdAfter?: string;
  /** Decimal int64; undefined = no filter (Coder treats 0 as none). */
  githubComUserId?: string;
  serviceAccount?: boolean;
}

export type SearchResult = { ok: true; search: UserSearch } | { ok: false; validations: Validation[] };

/** Splits on `delimiter` outside double quotes, dropping empty pieces (Go's strings.FieldsFunc). */
function splitOutsideQuotes(input: string, delimiter: string, keepQuotes: boolean): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of input) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === delimiter) {
      if (current) parts.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  if (current) parts.push(current);
  return keepQuotes ? parts : parts.map((p) => p.replace(/^"+|"+$/g, ""));
}

/** `q` → key → values, in the order keys first appear. Errors here stop the parse, as in Coder. */
function terms(q: string): { values: Map<string, string[]> } | { error: Validation } {
  const values = new Map<string, string[]>();
  const add = (key: string, value: string) => values.set(key, [...(values.get(key) ?? []), value]);
  for (const element of splitOutsideQuotes(q.toLowerCase(), " ", true)) {
    if (element.startsWith(":") || element.endsWith(":")) {
      return { error: { field: "q", detail: `Query element ${JSON.stringify(element)} cannot start or end with ':'` } };
    }
    const parts = splitOutsideQuotes(element, ":", false);
    if (parts.length === 1) add("search", element);
    else if (parts.length === 2) add(parts[0]!, parts[1]!);
    else return { error: { field: "q", detail: `Query element ${JSON.stringify(element)} can only contain 1 ':'` } };
  }
  return { values };
}

const STATUSES: readonly string[] = userStatus.enumValues;
const LOGIN_TYPES: readonly string[] = loginType.enumValues;

export function parseUserSearch(q: string): SearchResult {
  const parsed = terms(q);
  if ("error" in parsed) return { ok: false, validations: [parsed.error] };
  const { values } = parsed;
  const validations: Validation[] = [];
  const known = new Set<string>();
  /** The first value of `key`; an empty one means "not given", as Go's url.Values.Get. */
  const first = (key: string): string | undefined => {
    known.add(key);
    const v = values.get(key)?.[0];
    return v === "" ? undefined : v;
  };
  const list = <T extends string>(key: string, allowed?: readonly string[]): T[] => {
    const raw = first(key);
    if (raw === undefined) return [];
    const items = raw.split(",");
    const bad = allowed ? items.filter((i) => !allowed.includes(i)) : [];
    if (bad.length > 0) {
      validations.push({ field: key, detail: `Query param ${JSON.stringify(key)} has invalid values: ${bad.join(",")}` });
      return [];
    }
    return items as T[];
  };
  const time = (key: string): string | undefined => {
    const raw = first(key);
    if (raw === undefined) return undefined;
    // The query was lower-cased; RFC 3339 needs its upper-case 'T' and 'Z' back.
    const result = parseRfc3339Nano(raw.toUpperCase());
    if (!result.ok) {
      validations.push({
        field: key,
        detail: `Query param ${JSON.stringify(key)} must be a valid date format (${RFC3339_NANO}): ${result.error}`,
      });
      return undefined;
    }
    return result.isZero ? undefined : result.literal;
  };

  const search: UserSearch = {
    search: first("search") ?? "",
    name: first("name") ?? "",
    status: list<UserStatus>("status", STATUSES),
    roles: [],
    loginTypes: [],
  };
  const serviceAccount = first("service_account");
  if (serviceAccount !== undefined) {
    const b = parseGoBool(serviceAccount);
    if ("error" in b) {
      validations.push({ field: "service_account", detail: `Query param "service_account" must be a valid boolean: ${b.error}` });
    } else {
      search.serviceAccount = b.value;
    }
  }
  search.roles = list("role");
  search.lastSeenAfter = time("last_seen_after");
  search.lastSeenBefore = time("last_seen_before");
  search.createdAfter = time("created_after");
  search.createdBefore = time("created_before");
  const github = first("github_com_user_id");
  if (github !== undefined) {
    const n = parseGoInt(github, 64);
    if ("error" in n) {
      validations.push({
        field: "github_com_user_id",
        detail: `Query param "github_com_user_id" must be a valid 64-bit integer: ${n.error}`,
      });
    } else if (n.value !== 0n) {
      search.githubComUserId = n.value.toString();
    }
  }
  search.loginTypes = list<LoginType>("login_type", LOGIN_TYPES);

  for (const key of values.keys()) {
    if (!known.has(key)) validations.push({ field: key, detail: `Query param ${JSON.stringify(key)} is not a valid query param` });
  }
  return validations.length > 0 ? { ok: false, validations } : { ok: true, search };
}
