// CreateTokenRequest (Coder's codersdk/apikey.go): its schema, and the rules that turn it into a key's
// scopes, allow list and lifetime, each refused with Coder's message and detail.
import { z } from "@hono/zod-openapi";
import type { Actor } from "../auth/actor.ts";
import { formatGoDuration, nsToWholeMs } from "../compat/duration.ts";
import { canonicalScope } from "../auth/scopes.ts";
import type { Config } from "../config.ts";
import type { UserRow } from "../db/schema.ts";
import { apiError, type ApiError } from "../http/errors.ts";
import { tag } from "../http/validation.ts";
import { ALLOW_ALL, parseAllowList } from "./allow-list.ts";
import { maxTokenLifetimeNs } from "./lifetime.ts";

/** Long enough for any sensible label, short enough for the unique index (btree entries are capped). */
const MAX_TOKEN_NAME = 128;

export const AllowListTarget = z.object({ type: z.string(), id: z.string() }).openapi("APIAllowListTarget");

export const CreateTokenRequest = z
  .object({
    // Checked again from the raw JSON text (lifetime.ts): a double cannot hold every int64.
    lifetime: z
      .number(tag("integer"))
      .nullish()
      .openapi({ type: "integer", format: "int64", description: "Nanoseconds. 0 or absent: the default token lifetime." }),
    scope: z.string(tag("string")).nullish().openapi({ description: "Deprecated: use scopes." }),
    scopes: z.array(z.string(tag("string"))).nullish(),
    token_name: z.string(tag("string")).max(MAX_TOKEN_NAME, tag("max")).nullish(),
    allow_list: z.array(z.union([AllowListTarget, z.string()])).nullish(),
  })
  .openapi("CreateTokenRequest");

export type CreateTokenBody = z.infer<typeof CreateTokenRequest>;

const failed = (detail: string): ApiError => apiError(400, "Failed to create API key.", detail);

/**
 * `scopes` wins when non-empty, else `scope`, else the default: `coder:all`, or the caller's own scopes
 * when the caller is itself a narrowed token. Aliases are stored canonical, duplicates once.
 */
export function resolveScopes(body: CreateTokenBody, actor: Actor): string[] {
  const requested = body.scopes && body.scopes.length > 0 ? body.scopes : body.scope ? [body.scope] : undefined;
  if (!requested) return actor.scopes.includes("coder:all") ? ["coder:all"] : [...actor.scopes];
  return canonicalScopes(requested, failed);
}

/**
 * Requested scope names as stored: aliases canonical, duplicates once. An unknown name is refused with
 * Coder's detail, under the route's own message (`fail`: creation and update word it differently).
 */
export function canonicalScopes(requested: readonly string[], fail: (detail: string) => ApiError): string[] {
  const out: string[] = [];
  for (const name of requested) {
    const canonical = canonicalScope(name);
    if (canonical === undefined) throw fail(`invalid or unsupported API key scope: "${name}"`);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Validated and normalised; absent means `*:*`, or the caller's own list when the caller is restricted. */
export function resolveAllowList(body: CreateTokenBody, actor: Actor): string[] {
  const parsed = parseAllowList(body.allow_list);
  if (!parsed.ok) throw failed(parsed.detail);
  if (parsed.entries) return parsed.entries;
  return actor.allowList.includes(ALLOW_ALL) ? [ALLOW_ALL] : [...actor.allowList];
}

/**
 * An explicit lifetime must be positive and within the maximum for the key's user; 0 or absent means the
 * default token lifetime, which is not held to the maximum (as in Coder).
 */
export function resolveLifetimeMs(lifetimeNs: bigint | undefined, config: Config, user: Pick<UserRow, "rbacRoles">): number {
  if (lifetimeNs === undefined || lifetimeNs === 0n) return config.defaultTokenLifetimeMs;
  const invalid = (detail: string) => apiError(400, "Failed to validate create API key request.", detail);
  if (lifetimeNs < 0n) throw invalid("lifetime must be positive number greater than 0");
  const max = maxTokenLifetimeNs(config, user);
  if (lifetimeNs > max) throw invalid(`lifetime must be less than ${formatGoDuration(max)}`);
  return nsToWholeMs(lifetimeNs);
}
