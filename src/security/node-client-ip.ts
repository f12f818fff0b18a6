// The Node entry's client address (src/server.ts): the socket's peer, or, behind TRUSTED_PROXIES, the client
// they forwarded for (src/security/client-ip.ts). Kept apart so the Workers bundle never imports
// @hono/node-server.
import { getConnInfo } from "@hono/node-server/conninfo";
import { forwardedClientIp, type TrustedProxies } from "./client-ip.ts";

export function nodeClientIp(req: Request, nodeEnv: unknown, trusted: TrustedProxies): string | undefined {
  const peer = getConnInfo({ env: nodeEnv } as never).remote.address;
  // The header is only read when someone may be trusted to have written it.
  return forwardedClientIp(peer, trusted.length > 0 ? req.headers.get("X-Forwarded-For") : undefined, trusted);
}
