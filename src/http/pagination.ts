// Coder's pagination query parameters (`after_id`, `limit`, `offset`), read as Coder's parsePagination
// reads them: https://github.com/coder/coder/blob/main/coderd/pagination.go. Absent or empty values mean
// "none"; every invalid value is reported, not only the first, with Coder's wording.
import { NIL_UUID, parseGoInt, parseUuid } from "../compat/go-parse.ts";
import type { Validation } from "./errors.ts";

export interface Pagination {
  /** Keyset cursor: the page starts after this row. Absent when not given or the nil uuid. */
  afterId?: string;
  /** 0 = not given: the route chooses (no limit, or its default page). */
  limit: number;
  offset: number;
}

export function parsePagination(get: (key: string) => string | undefined): { page: Pagination; validations: Validation[] } {
  const validations: Validation[] = [];
  const page: Pagination = { limit: 0, offset: 0 };
  const afterId = get("after_id");
  if (afterId) {
    const parsed = parseUuid(afterId);
    if ("error" in parsed) validations.push({ field: "after_id", detail: 'Query param "after_id" must be a valid uuid' });
    else if (parsed.id !== NIL_UUID) page.afterId = parsed.id;
  }
  for (const key of ["limit", "offset"] as const) {
    const raw = get(key);
    if (!raw) continue;
    const n = parseGoInt(raw, 32);
    const error = "error" in n ? n.error : n.value < 0n ? "value is negative" : undefined;
    if (error) validations.push({ field: key, detail: `Query param "${key}" must be a valid 32-bit positive integer: ${error}` });
    else if (!("error" in n)) page[key] = Number(n.value);
  }
  return { page, validations };
}
