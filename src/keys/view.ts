// The one serializer for API keys (Coder's codersdk/apikey.go `APIKey`). Only these fields leave the server: a
// key's token is returned once, by the create endpoints, and never again.
import { z } from "@hono/zod-openapi";
import { legacyScope } from "../auth/scopes.ts";
import type { ApiKeyRow } from "../db/schema.ts";
import { rfc3339 } from "../compat/time.ts";
import { allowListView } from "./allow-list.ts";

export const GenerateAPIKeyResponse = z.object({ key: z.string() }).openapi("GenerateAPIKeyResponse");

export const APIKeySchema = z
  .object({
    id: z.string(),
    user_id: z.uuid(),
    last_used: z.string(),
    expires_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    login_type: z.enum(["password", "github", "oidc", "token", "none", "oauth2_provider_app"]),
    scope: z.enum(["all", "application_connect", ""]).openapi({ description: "Deprecated: use scopes instead." }),
    scopes: z.array(z.string()),
    lifetime_seconds: z.number().int(),
    token_name: z.string(),
    allow_list: z.array(z.object({ type: z.string(), id: z.string() })),
  })
  .openapi("APIKey");

export const APIKeyWithOwnerSchema = APIKeySchema.extend({ username: z.string() }).openapi("APIKeyWithOwner");

export type APIKeyView = z.infer<typeof APIKeySchema>;

export function apiKeyView(key: ApiKeyRow): APIKeyView {
  return {
    id: key.id,
    user_id: key.userId,
    last_used: rfc3339(key.lastUsed),
    expires_at: rfc3339(key.expiresAt),
    created_at: rfc3339(key.createdAt),
    updated_at: rfc3339(key.updatedAt),
    login_type: key.loginType,
    scope: legacyScope(key.scopes),
    scopes: key.scopes,
    lifetime_seconds: key.lifetimeSeconds,
    token_name: key.tokenName,
    allow_list: allowListView(key.allowList),
  };
}
