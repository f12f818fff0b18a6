// Allow lists (Coder's coderd/rbac/allowlist.go): which objects a token may touch, on top of what its roles and
// scopes allow. Stored as sorted `type:id` strings; `*:*` (the default) restricts nothing. Enforcement is
// in rbac.ts (`allowListAllows`); this file validates, normalises and compares lists.
import { ALLOW_LIST_TYPES } from "../auth/scopes.ts";

export const ALLOW_ALL = "*:*";
const MAX_ENTRIES = 128;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An entry as a client sends it: `{"type","id"}`, or the `type:id` string form. */
export type AllowListInput = { type: string; id: string } | string;

export type ParsedAllowList = { ok: true; entries: string[] | undefined } | { ok: false; detail: string };

function parseEntry(input: AllowListInput): { type: string; id: string } | { error: string } {
  let type: string;
  let id: string;
  if (typeof input === "string") {
    const text = input.trim().toLowerCase();
    const sep = text.indexOf(":");
    if (sep <= 0 || sep === text.length - 1) return { error: `invalid allow_list entry "${text}": want <type>:<id>` };
    type = text.slice(0, sep);
    id = text.slice(sep + 1);
  } else {
    type = input.type.trim();
    // UUIDs are stored in their canonical lowercase form, the form every id is compared in.
    id = input.id.trim().toLowerCase();
  }
  if (type !== "*" && !ALLOW_LIST_TYPES.has(type)) return { error: `unknown resource type "${type}"` };
  if (id !== "*" && !UUID_RE.test(id)) return { error: `invalid ${type} ID (must be UUID): "${id}"` };
  return { type, id };
}

/**
 * Validates every entry, then normalises: any `*:*` collapses the list to `[*:*]`, `type:*` shadows the
 * ids of that type, duplicates go, and the rest is sorted by (type, id). Empty or absent → undefined: the
 * caller picks the default.
 */
export function parseAllowList(inputs: readonly AllowListInput[] | null | undefined): ParsedAllowList {
  if (!inputs || inputs.length === 0) return { ok: true, entries: undefined };
  if (inputs.length > MAX_ENTRIES) return { ok: false, detail: `allow_list has ${inputs.length} entries; max allowed is ${MAX_ENTRIES}` };
  const parsed: { type: string; id: string }[] = [];
  for (const input of inputs) {
    const entry = parseEntry(input);
    if ("error" in entry) return { ok: false, detail: entry.error };
    parsed.push(entry);
  }
  if (parsed.some((e) => e.type === "*" && e.id === "*")) return { ok: true, entries: [ALLOW_ALL] };
  const wildcardTypes = new Set(parsed.filter((e) => e.id === "*").map((e) => e.type));
  const kept = new Set(parsed.filter((e) => e.id === "*" || !wildcardTypes.has(e.type)).map((e) => `${e.type}:${e.id}`));
  const entries = [...kept].sort((a, b) => {
    const [ta = "", ia = ""] = a.split(":");
    const [tb = "", ib = ""] = b.split(":");
    return ta === tb ? (ia < ib ? -1 : ia > ib ? 1 : 0) : ta < tb ? -1 : 1;
  });
  return { ok: true, entries };
}

/** The first entry of `requested` that no entry of `held` covers, if any (a wildcard covers only as wide). */
export function uncoveredEntry(held: readonly string[], requested: readonly string[]): string | undefined {
  const split = (e: string) => [e.slice(0, e.indexOf(":")), e.slice(e.indexOf(":") + 1)] as const;
  return requested.find((want) => {
    const [wt, wi] = split(want);
    return !held.some((have) => {
      const [ht, hi] = split(have);
      return (ht === "*" || ht === wt) && (hi === "*" || hi === wi);
    });
  });
}

/** The response form: `[{"type","id"}]`. */
export const allowListView = (entries: readonly string[]) =>
  entries.map((e) => ({ type: e.slice(0, e.indexOf(":")), id: e.slice(e.indexOf(":") + 1) }));
