// Which email an OIDC sign-in stands for, and whether the provider vouches for it.
//
// Coder takes both from the merged claims, userinfo over ID token
// (https://github.com/coder/coder/blob/main/coderd/userauth.go, userOIDC): a userinfo `email` then inherits
// the ID token's `email_verified: true` even when it names another address. Here the address and its
// verification come from one source: the ID token's when it has the email claim (it is signed and bound to
// this login by the nonce), else the userinfo response's. The other source's flag counts only when it names
// the very same address.
import type { OidcConfig } from "./config.ts";
import { apiError } from "../http/errors.ts";

/** "unknown" when no source says: providers such as Microsoft Entra ID send no `email_verified`. */
export type EmailVerification = "verified" | "unverified" | "unknown";

export interface OidcEmail {
  email: string;
  verification: EmailVerification;
}

/** Loosely what Go's mail.ParseAddress accepts for a bare address: something@something. */
const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;

/** OIDC Core §5.1 makes `email_verified` a boolean; some providers (Amazon Cognito) send it as a string. */
function flag(claims: Record<string, unknown>): EmailVerification {
  const v = claims.email_verified;
  if (v === true || v === "true") return "verified";
  if (v === false || v === "false") return "unverified";
  return "unknown";
}

/**
 * The email (from the configured claim, else a username that is an address: never verified, as no source
 * says so) or Coder's 400.
 */
export function oidcEmail(
  cfg: OidcConfig,
  idToken: Record<string, unknown>,
  userInfo: Record<string, unknown>,
  username: string,
): OidcEmail {
  const field = cfg.emailField;
  const source = field in idToken ? idToken : field in userInfo ? userInfo : undefined;
  const raw = source ? source[field] : EMAIL_LIKE.test(username) ? username : undefined;
  if (raw === undefined) throw apiError(400, "No email found in OIDC payload!");
  if (typeof raw !== "string") throw apiError(400, `Email in OIDC payload isn't a string. Got: ${JSON.stringify(raw)}`);
  if (!source) return { email: raw, verification: "unknown" };
  for (const claims of source === idToken ? [idToken, userInfo] : [userInfo, idToken]) {
    if (claims[field] !== raw) continue;
    const verification = flag(claims);
    if (verification !== "unknown") return { email: raw, verification };
  }
  return { email: raw, verification: "unknown" };
}
