import type { Router } from "../http/router.ts";
import { deleteKey } from "./delete-key.ts";
import { getKey } from "./get-key.ts";
import { getScopes } from "./get-scopes.ts";
import { getTokenByName } from "./get-token-by-name.ts";
import { getTokenConfig } from "./get-token-config.ts";
import { getTokens } from "./get-tokens.ts";
import { patchToken } from "./patch-token.ts";
import { postKey } from "./post-key.ts";
import { postToken } from "./post-token.ts";
import { putKeyExpire } from "./put-key-expire.ts";

/**
 * The first registered match answers, so literal segments go before the parameters that would swallow
 * them: `tokens/tokenconfig` before `tokens/{keyname}`, and `keys/tokens` before `keys/{keyid}`.
 */
export function mountKeys(app: Router): void {
  getScopes(app);
  postKey(app);
  getTokenConfig(app);
  getTokenByName(app);
  patchToken(app);
  getTokens(app);
  postToken(app);
  getKey(app);
  deleteKey(app);
  putKeyExpire(app);
}
