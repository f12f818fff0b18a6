// The cache of verified tokens: a hit skips the signature (never the database), an entry is never served
// at or after its token's `exp`, the bytes stay bounded, refusals never enter, and a new service (a
// restart, perhaps without a key) starts empty.
import { afterEach, describe, expect, it, vi } from "vitest";
import { VerifiedTokenCache } from "../../../src/auth/token-cache.ts";
import { TokenService } from "../../../src/auth/tokens.ts";

const ISS = "http://gatehouse.test";

const sign = (tokens: TokenService, keyId: string, seconds = 3600) =>
  tokens.sign({ userId: "u", keyId, scopes: ["coder:all"], issuedAt: new Date(), expiresAt: new Date(Date.now() + seconds * 1000) });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("verified-token cache in TokenService", () => {
  it("a miss verifies and enters; a hit answers the same claims without the signature check", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS);
    const token = await sign(tokens, "k1");
    const first = await tokens.verify(token);
    expect(first.ok).toBe(true);
    expect(tokens.cacheStats().entries).toBe(1);
    const second = await tokens.verify(token);
    // The very object of the first answer: a verification would have built new claims.
    expect(second.ok && second.claims).toBe(first.ok && first.claims);
    expect(Object.isFrozen(second.ok && second.claims)).toBe(true);
  });

  it("never serves an entry at its exp: the token is refused as expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS);
    const token = await sign(tokens, "k1", 60);
    const first = await tokens.verify(token);
    if (!first.ok) throw new Error("a fresh token is refused");
    const exp = first.claims.exp;
    vi.setSystemTime(exp * 1000 - 1);
    const late = await tokens.verify(token);
    expect(late.ok && late.claims).toBe(first.claims);
    vi.setSystemTime(exp * 1000);
    const result = await tokens.verify(token);
    expect(result).toEqual({ ok: false, reason: "expired", expiredAt: new Date(exp * 1000) });
    expect(tokens.cacheStats().entries).toBe(0);
  });

  it("never caches a refusal: forged, foreign and tampered tokens leave it empty", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS);
    const other = await TokenService.create([await TokenService.generateKey()], ISS);
    const good = await sign(tokens, "k1");
    const [h, p] = good.split(".");
    const refused = [await sign(other, "k1"), `${h}.${p}.${"A".repeat(86)}`, "a.b.c", `${h}.${p}x.${good.split(".")[2]}`];
    for (const token of refused) {
      expect((await tokens.verify(token)).ok).toBe(false);
      expect((await tokens.verify(token)).ok).toBe(false);
    }
    expect(tokens.cacheStats().entries).toBe(0);
  });

  it("stays within its byte bound, evicting the least recently used", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS, ISS, { cacheBytes: 4000 });
    const issued = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(tokens, `key-${i}`)));
    const first = await tokens.verify(issued[0]!);
    for (const token of issued.slice(1)) {
      await tokens.verify(token);
      await tokens.verify(issued[0]!); // kept warm: the most recently used survives
      expect(tokens.cacheStats().bytes).toBeLessThanOrEqual(4000);
    }
    expect(tokens.cacheStats().entries).toBeGreaterThan(1);
    expect(tokens.cacheStats().entries).toBeLessThan(20);
    const warm = await tokens.verify(issued[0]!);
    expect(warm.ok && warm.claims).toBe(first.ok && first.claims);
  });

  it("a new service (a restart without the key) starts empty and refuses the old key's tokens", async () => {
    const oldKey = await TokenService.generateKey();
    const before = await TokenService.create([oldKey], ISS);
    const token = await sign(before, "k1");
    expect((await before.verify(token)).ok).toBe(true);
    const after = await TokenService.create([await TokenService.generateKey()], ISS);
    expect(after.cacheStats().entries).toBe(0);
    expect(await after.verify(token)).toEqual({ ok: false, reason: "invalid" });
    expect((await before.verify(token)).ok).toBe(true);
  });

  it("cacheBytes 0 turns the cache off", async () => {
    const tokens = await TokenService.create([await TokenService.generateKey()], ISS, ISS, { cacheBytes: 0 });
    expect((await tokens.verify(await sign(tokens, "k1"))).ok).toBe(true);
    expect(tokens.cacheStats().entries).toBe(0);
  });
});

describe("VerifiedTokenCache", () => {
  it("drops expired entries from the old end as new ones arrive", () => {
    const cache = new VerifiedTokenCache<number>(1000);
    cache.set("a", 1, 100, 10, 50);
    cache.set("b", 2, 200, 10, 50);
    cache.set("c", 3, 300, 10, 150);
    expect(cache.size).toBe(2);
    expect(cache.get("a", 150)).toBeUndefined();
    expect(cache.get("b", 150)).toBe(2);
  });

  it("refuses an entry larger than the bound or already expired", () => {
    const cache = new VerifiedTokenCache<number>(100);
    cache.set("big", 1, 1000, 101, 0);
    cache.set("old", 1, 10, 10, 10);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
