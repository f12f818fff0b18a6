// Token lifetimes travel as Go `time.Duration`s: JSON integers in nanoseconds (Coder's codersdk/apikey.go).
// The default maximum, 876600h, is 3.15576e18 ns, past the 2^53 a JavaScript number holds exactly, so
// values are read from and written to the JSON text as BigInts.
import { INT64_MAX, INT64_MIN, msToNs } from "../compat/duration.ts";
import type { Config } from "../config.ts";
import type { UserRow } from "../db/schema.ts";

/** Coder's getMaxTokenLifetime: users holding the site role `owner` get the admin maximum. */
export function maxTokenLifetimeNs(config: Config, user: Pick<UserRow, "rbacRoles">): bigint {
  return msToNs(user.rbacRoles.includes("owner") ? config.maxAdminTokenLifetimeMs : config.maxTokenLifetimeMs);
}

export type LifetimeField = { ok: true; ns: bigint | undefined } | { ok: false; detail: string };

const INTEGER_LITERAL = /^-?(0|[1-9]\d*)$/;

/**
 * The top-level `lifetime` of a JSON body, exactly as written. JSON.parse would round a large integer to
 * the nearest double, so its reviver's source text (Node 22, workerd) gives the digits. Go decodes a
 * Duration only from an integer literal within int64; anything else is its decode error, which names the Go
 * struct the body decodes into (`CreateTokenRequest`, `UpdateTokenRequest`).
 */
export function readLifetime(text: string, struct = "CreateTokenRequest"): LifetimeField {
  const seen: { holder: unknown; value: unknown; source: string | undefined }[] = [];
  const root: unknown = JSON.parse(text, function reviver(this: unknown, key: string, value: unknown, context?: { source?: string }) {
    if (key === "lifetime") seen.push({ holder: this, value, source: context?.source });
    return value;
  });
  const field = seen.find((s) => s.holder === root);
  if (!field || field.value === null || field.value === undefined) return { ok: true, ns: undefined };
  if (typeof field.value !== "number") return { ok: true, ns: undefined }; // the schema reports the type
  const source = field.source ?? String(field.value);
  const goError = {
    ok: false as const,
    detail: `json: cannot unmarshal number ${source} into Go struct field ${struct}.lifetime of type time.Duration`,
  };
  if (!INTEGER_LITERAL.test(source)) return goError;
  const ns = BigInt(source);
  if (ns > INT64_MAX || ns < INT64_MIN) return goError;
  return { ok: true, ns };
}

/** `{"max_token_lifetime":<ns>}` with the integer written exactly (c.json would go through a double). */
export const tokenConfigJson = (maxNs: bigint): string => `{"max_token_lifetime":${maxNs.toString()}}`;
