// IP addresses and CIDR ranges, parsed strictly: the client address decides whose rate-limit budget a
// request spends, so only the textual forms of RFC 4291 §2.2 (IPv6) and dotted-quad decimal (IPv4) are
// read. The legacy inet_aton forms ("127.1", "0x7f.0.0.1", octal "010.0.0.1") are refused: they would let
// the same address be written many ways, or a range be read differently from how an operator meant it.
// Runtime-neutral (Node and Workers): no node:net.

/** 4 bytes for IPv4, 16 for IPv6. IPv4-mapped IPv6 (::ffff:a.b.c.d) is returned as the IPv4 address. */
export type IpBytes = Uint8Array;

export interface Cidr {
  bytes: IpBytes;
  bits: number;
}

const IPV4_PART = /^(?:0|[1-9]\d{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
/** Longest textual IPv6 (with an embedded IPv4 tail) is 45 characters; anything longer is not an address. */
const MAX_TEXT = 64;

function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!IPV4_PART.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): IpBytes | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 address may only end the whole address, and counts as two groups.
  const lastList = halves.length === 2 ? tail : head;
  const words: number[][] = [];
  for (const list of [head, tail]) {
    const out: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const group = list[i]!;
      if (group.includes(".") && list === lastList && i === list.length - 1) {
        const v4 = parseIpv4(group);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (HEXTET.test(group)) {
        out.push(parseInt(group, 16));
      } else {
        return undefined;
      }
    }
    words.push(out);
  }
  const [before, after] = [words[0]!, words[1]!];
  const missing = 8 - before.length - after.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...before, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...after];
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

const isV4Mapped = (b: IpBytes) => b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/**
 * The address `text` names, or undefined. A zone (`fe80::1%eth0`, as Node reports link-local peers) is
 * dropped; IPv4-mapped IPv6 becomes the IPv4 address, since it is the same host.
 */
export function parseIp(text: string): IpBytes | undefined {
  if (text.length === 0 || text.length > MAX_TEXT) return undefined;
  if (!text.includes(":")) return parseIpv4(text);
  const bytes = parseIpv6(text.replace(/%[0-9A-Za-z._~-]{1,32}$/, ""));
  if (!bytes) return undefined;
  return isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

/** Dotted quad, or RFC 5952's canonical IPv6 text (lower case, longest run of zero groups as "::"). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  // RFC 5952 §4.2.2: a single zero group is not shortened.
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

/** `text` as its canonical form, or undefined when it is not an address. */
export function normalizeIp(text: string | undefined): string | undefined {
  const bytes = text === undefined ? undefined : parseIp(text.trim());
  return bytes && formatIp(bytes);
}

/**
 * A range: "10.0.0.0/8", "fd00::/8", or a single address ("192.0.2.7" is 192.0.2.7/32). Host bits under the
 * mask are cleared ("10.1.2.3/8" is 10.0.0.0/8), as Go's net.ParseCIDR does. IPv4-mapped IPv6 ranges
 * ("::ffff:10.0.0.0/104") are read as the IPv4 range they cover.
 */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = "", prefix, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const raw = addr.includes(":") ? parseIpv6(addr) : parseIpv4(addr);
  if (!raw) return undefined;
  let bits = raw.length * 8;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return undefined;
    bits = Number(prefix);
  }
  let bytes = raw;
  if (isV4Mapped(raw) && bits >= 96) {
    bytes = raw.slice(12);
    bits -= 96;
  }
  const masked = bytes.slice();
  for (let i = 0; i < masked.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    masked[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return { bytes: masked, bits };
}

export function inCidr(ip: IpBytes, cidr: Cidr): boolean {
  if (ip.length !== cidr.bytes.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const keep = Math.max(0, Math.min(8, cidr.bits - 8 * i));
    if (keep === 0) return true;
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((ip[i]! & mask) !== cidr.bytes[i]) return false;
  }
  return true;
}
