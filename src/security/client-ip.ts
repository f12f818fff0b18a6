// Which address a request comes from, as the rate limits and the records (api_keys.ip_address, the audit
// log) see it. Entry points compute it once per request and pass it as the `clientIp` binding:
//
// - Node (src/server.ts): the socket's peer, unless the peer is one of TRUSTED_PROXIES; then the client is
//   read from X-Forwarded-For, from the right, skipping trusted hops: the first untrusted address is the
//   client. Entries left of it were written by the client itself and are never believed.
// - Workers (src/worker.ts): CF-Connecting-IP, which Cloudflare sets to the address that connected to its
//   edge; X-Forwarded-For there is whatever the client sent and is never read.
//
// The rate limits then count IPv6 clients per /64 (rateLimitSubject): one host is routinely given a whole
// /64 (RFC 6177 §2; SLAAC privacy addresses rotate within it, RFC 8981), so counting per address would give
// one machine 2^64 budgets.
import { formatIp, inCidr, normalizeIp, parseCidr, parseIp, type Cidr, type IpBytes } from "./ip.ts";

export type TrustedProxies = readonly Cidr[];

/**
 * TRUSTED_PROXIES' entries as ranges, or the entries that are not ranges (`problems`), for a start-up
 * error that names them.
 */
export function parseTrustedProxies(entries: readonly string[]): { proxies: Cidr[]; problems: string[] } {
  const proxies: Cidr[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (cidr) proxies.push(cidr);
    else problems.push(`"${entry}" is not an IPv4 or IPv6 address or CIDR range (such as 10.0.0.0/8 or fd00::/8)`);
  }
  return { proxies, problems };
}

const isTrusted = (ip: IpBytes, trusted: TrustedProxies) => trusted.some((cidr) => inCidr(ip, cidr));

/** One X-Forwarded-For entry: an address, possibly with a port ("192.0.2.1:4711", "[2001:db8::1]:443"). */
function forwardedEntry(entry: string): IpBytes | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return parseIp(bracketed[1]!);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return parseIp(v4WithPort ? v4WithPort[1]! : text);
}

/** At most this many X-Forwarded-For entries are read, right to left: real proxy chains are a few hops. */
const MAX_HOPS = 32;

/**
 * The client of a request that arrived from `peer` (the socket's address) carrying `forwardedFor` (the
 * X-Forwarded-For header, several headers joined by commas). Without trusted proxies, or from a peer that
 * is not one, the peer is the client whatever the header says.
 */
export function forwardedClientIp(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trusted: TrustedProxies,
): string | undefined {
  let client = peer === undefined ? undefined : parseIp(peer);
  if (!client) return undefined;
  if (trusted.length === 0 || !forwardedFor) return formatIp(client);
  const hops = forwardedFor.split(",").slice(-MAX_HOPS);
  while (isTrusted(client, trusted)) {
    const next = hops.pop();
    if (next === undefined) break; // every hop trusted: the leftmost is where the request began
    const hop = forwardedEntry(next);
    // A trusted proxy writes a valid address; anything else was forged further left. Stop at the last
    // address a trusted party vouched for, so the budget spent is never one the sender chose.
    if (!hop) break;
    client = hop;
  }
  return formatIp(client);
}

/** On Workers: the address Cloudflare's edge saw, canonical, or undefined when absent or not an address. */
export function cloudflareClientIp(headers: Headers): string | undefined {
  return normalizeIp(headers.get("CF-Connecting-IP") ?? undefined);
}

/**
 * What a rate limit counts a client address as: an IPv4 address itself, an IPv6 address as its /64
 * ("2001:db8:1:2::/64"). Records keep the full address; only budgets are shared.
 */
export function rateLimitSubject(ip: string): string {
  const bytes = parseIp(ip);
  if (!bytes) return ip;
  if (bytes.length === 4) return formatIp(bytes);
  const prefix = new Uint8Array(16);
  prefix.set(bytes.subarray(0, 8));
  return `${formatIp(prefix)}/64`;
}
