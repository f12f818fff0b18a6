// UpdateTokenRequest (Coder's coderd/apikey.go `patchToken`; codersdk's request type is read from the handler):
// every field optional, an absent or null one leaves the key as it is. Validated as on creation, each refusal
// with `patchToken`'s message, "Failed to update API key.".
import { z } from "@hono/zod-openapi";
import { formatGoDuration, nsToWholeMs } from "../compat/duration.ts";
import { rfc3339 } from "../compat/time.ts";
import type { Config } from "../config.ts";
import type { ApiKeyRow, UserRow } from "../db/schema.ts";
import { apiError, type ApiError } from "../http/errors.ts";
import { tag } from "../http/validation.ts";
import { ALLOW_ALL, parseAllowList } from "./allow-list.ts";
import { maxTokenLifetimeNs } from "./lifetime.ts";
import { AllowListTarget, canonicalScopes } from "./token-request.ts";

export const UpdateTokenRequest = z
  .object({
    // Checked again from the raw JSON text (lifetime.ts): a double cannot hold every int64.
    lifetime: z
      .number(tag("integer"))
      .nullish()
      .openapi({ type: "integer", format: "int64", description: "Nanoseconds from now to the new expiry." }),
    scope: z.string(tag("string")).nullish().openapi({ description: "Deprecated: use scopes." }),
    scopes: z
      .array(z.string(tag("string")))
      .nullish()
      .openapi({ description: "Replaces the scopes; empty means coder:all." }),
    allow_list: z
      .array(z.union([AllowListTarget, z.string()]))
      .nullish()
      .openapi({ description: "Replaces the allow list; empty means *:*." }),
  })
  .openapi("UpdateTokenRequest");

export type UpdateTokenBody = z.infer<typeof UpdateTokenRequest>;

export const failedUpdate = (detail: string): ApiError => apiError(400, "Failed to update API key.", detail);

/** Coder decodes into pointers: a field sent as null is as absent as one left out. */
const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** `scope` and `scopes` together are refused before the key is looked up, as Coder does. */
export function refuseBothScopeFields(body: UpdateTokenBody): void {
  if (given(body.scope) && given(body.scopes)) throw failedUpdate("provide either scope or scopes, not both");
}

/**
 * The key's new scopes: `scopes` replaces them (empty: `coder:all`, as Coder's normalizeTokenScopes), else
 * `scope` does (empty: `coder:all`), else they stay. Aliases stored canonical, duplicates once.
 */
export function updatedScopes(body: UpdateTokenBody, key: ApiKeyRow): string[] {
  const requested = given(body.scopes) ? body.scopes : given(body.scope) ? (body.scope === "" ? [] : [body.scope]) : undefined;
  if (requested === undefined) return key.scopes;
  if (requested.length === 0) return ["coder:all"];
  return canonicalScopes(requested, failedUpdate);
}

/** The key's new allow list: an empty list lifts the restriction (`*:*`), as Coder does; absent keeps it. */
export function updatedAllowList(body: UpdateTokenBody, key: ApiKeyRow): string[] {
  if (!given(body.allow_list)) return key.allowList;
  if (body.allow_list.length === 0) return [ALLOW_ALL];
  const parsed = parseAllowList(body.allow_list);
  if (!parsed.ok) throw failedUpdate(parsed.detail);
  return parsed.entries ?? [ALLOW_ALL];
}

export interface UpdatedExpiry {
  expiresAt: Date;
  lifetimeSeconds: number;
}

/**
 * A new lifetime runs from now and, unlike on creation, 0 is refused too (Coder's validateAPIKeyLifetime):
 * positive and within the maximum for the key's user. A Gatehouse token is a signed JWT whose `exp` cannot
 * be changed after issue, so the new expiry may not pass the key's current one, which is never later than
 * that `exp`: shortening works at once, extending needs a new token (docs/coder-compatibility.md).
 */
export function updatedExpiry(
  lifetimeNs: bigint | undefined,
  key: ApiKeyRow,
  config: Config,
  user: Pick<UserRow, "rbacRoles">,
  now: Date,
): UpdatedExpiry {
  if (lifetimeNs === undefined) return { expiresAt: key.expiresAt, lifetimeSeconds: key.lifetimeSeconds };
  if (lifetimeNs <= 0n) throw failedUpdate("lifetime must be positive number greater than 0");
  const max = maxTokenLifetimeNs(config, user);
  if (lifetimeNs > max) throw failedUpdate(`lifetime must be less than ${formatGoDuration(max)}`);
  const lifetimeMs = nsToWholeMs(lifetimeNs);
  // Whole seconds, as a token's expiry is cut on issue (issue.ts), so row and token agree.
  const expiresAt = new Date(Math.floor((now.getTime() + lifetimeMs) / 1000) * 1000);
  if (expiresAt.getTime() > key.expiresAt.getTime()) {
    throw failedUpdate(
      `lifetime would move the token's expiry past ${rfc3339(key.expiresAt)}, the latest its signed token allows; create a new token instead`,
    );
  }
  return { expiresAt, lifetimeSeconds: Math.floor(lifetimeMs / 1000) };
}
