// The strict address and range parser the client address and TRUSTED_PROXIES rely on (src/security/ip.ts).
import { describe, expect, it } from "vitest";
import { formatIp, inCidr, normalizeIp, parseCidr, parseIp } from "../../../src/security/ip.ts";

describe("addresses", () => {
  it("reads dotted-quad IPv4 and every RFC 4291 IPv6 text form, writing them back canonically (RFC 5952)", () => {
    const cases: [string, string][] = [
      ["192.0.2.1", "192.0.2.1"],
      ["0.0.0.0", "0.0.0.0"],
      ["255.255.255.255", "255.255.255.255"],
      ["::", "::"],
      ["::1", "::1"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["fe80::1%eth0", "fe80::1"],
      ["::ffff:192.0.2.1", "192.0.2.1"],
      ["::FFFF:c000:0201", "192.0.2.1"],
      ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
      ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ];
    for (const [input, canonical] of cases) expect(normalizeIp(input), input).toBe(canonical);
  });

  it("refuses legacy and malformed forms", () => {
    const bad = [
      "",
      "127.1",
      "0x7f.0.0.1",
      "010.0.0.1",
      "256.0.0.1",
      "1.2.3.4.5",
      "1.2.3",
      " 1.2.3.4x",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      ":1::2",
      "1::2:",
      "12345::",
      "::1.2.3",
      "1.2.3.4::",
      "::1.2.3.4:5",
      "g::1",
      "1:2:3:4:5:6:7",
      "a".repeat(70),
    ];
    for (const input of bad) expect(parseIp(input), input).toBeUndefined();
  });

  it("formats bytes it did not parse", () => {
    expect(formatIp(new Uint8Array([192, 0, 2, 9]))).toBe("192.0.2.9");
    expect(formatIp(new Uint8Array(16))).toBe("::");
  });
});

describe("ranges", () => {
  const within = (ip: string, cidr: string) => inCidr(parseIp(ip)!, parseCidr(cidr)!);

  it("match by prefix, IPv4 and IPv6 apart, IPv4-mapped peers as IPv4", () => {
    expect(within("10.200.3.4", "10.0.0.0/8")).toBe(true);
    expect(within("11.0.0.1", "10.0.0.0/8")).toBe(false);
    expect(within("192.0.2.7", "192.0.2.7")).toBe(true);
    expect(within("192.0.2.8", "192.0.2.7")).toBe(false);
    expect(within("172.31.255.255", "172.16.0.0/12")).toBe(true);
    expect(within("172.32.0.0", "172.16.0.0/12")).toBe(false);
    expect(within("2001:db8:ffff::1", "2001:db8::/32")).toBe(true);
    expect(within("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(within("::ffff:10.0.0.1", "10.0.0.0/8")).toBe(true);
    expect(within("10.0.0.1", "::ffff:10.0.0.0/104")).toBe(true);
    expect(within("10.0.0.1", "::/0")).toBe(false);
    expect(within("203.0.113.1", "0.0.0.0/0")).toBe(true);
  });

  it("clear host bits, as Go's net.ParseCIDR does, and refuse bad prefixes", () => {
    expect(parseCidr("10.1.2.3/8")).toEqual({ bytes: new Uint8Array([10, 0, 0, 0]), bits: 8 });
    for (const bad of ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/1", "::/129", "::/0x10", "10/8"])
      expect(parseCidr(bad), bad).toBeUndefined();
  });
});
