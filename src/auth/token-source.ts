// Where a token may come from, first non-empty wins (Coder's coderd/httpmw/apikey.go `APITokenFromRequest`).
import type { Context } from "hono";
import { getCookie } from "hono/cookie";

export const SESSION_COOKIE = "coder_session_token";
export const SESSION_HEADER = "Coder-Session-Token";

export function readToken(c: Context): string | undefined {
  const bearer = /^bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  const candidates = [
    getCookie(c, SESSION_COOKIE),
    c.req.query(SESSION_COOKIE),
    c.req.header(SESSION_HEADER),
    bearer,
    c.req.query("access_token")?.trim(),
  ];
  return candidates.find((t) => t !== undefined && t !== "");
}
