// Coder's PBKDF2 hashes verified through WebCrypto, checked against hashes made
// independently with node:crypto in Coder's format.
import { describe, expect, it } from "vitest";
import { hasher } from "../../../src/auth/hasher-node.ts";
import { verifyStoredPassword, isCoderPbkdf2, verifyCoderPbkdf2 } from "../../../src/auth/pbkdf2.ts";
import { coderPbkdf2 } from "./coder-fixture.ts";

describe("verifyCoderPbkdf2", () => {
  it.each([65535, 1024, 1])("accepts the right password at %i iterations and refuses a wrong one", async (iterations) => {
    const stored = coderPbkdf2("SomeSecurePassword!", iterations);
    expect(await verifyCoderPbkdf2(stored, "SomeSecurePassword!")).toBe(true);
    expect(await verifyCoderPbkdf2(stored, "SomeSecurePassword?")).toBe(false);
    expect(await verifyCoderPbkdf2(stored, "")).toBe(false);
  });

  it("hashes the password's UTF-8 bytes, as Go's []byte(password) does", async () => {
    const stored = coderPbkdf2("pässwörd-Ω-🔑", 1);
    expect(await verifyCoderPbkdf2(stored, "pässwörd-Ω-🔑")).toBe(true);
    expect(await verifyCoderPbkdf2(stored, "passwort-Ω-🔑")).toBe(false);
  });

  it("matches a fixed vector (salt and iterations known)", async () => {
    const salt = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
    const stored = coderPbkdf2("hunter2", 1024, salt);
    expect(stored.startsWith("$pbkdf2-sha256$1024$AAECAwQFBgcICQoLDA0ODw$")).toBe(true);
    expect(await verifyCoderPbkdf2(stored, "hunter2")).toBe(true);
  });

  it("refuses malformed hashes without throwing", async () => {
    const good = coderPbkdf2("pw", 1);
    const [, , iter, salt, key] = good.split("$");
    const malformed = [
      "",
      "$pbkdf2-sha256$",
      `$pbkdf2-sha512$${iter}$${salt}$${key}`,
      `$pbkdf2-sha256$${iter}$${salt}$${key}$extra`,
      `pbkdf2-sha256$${iter}$${salt}$${key}`,
      `$pbkdf2-sha256$abc$${salt}$${key}`,
      `$pbkdf2-sha256$0$${salt}$${key}`,
      `$pbkdf2-sha256$0100$${salt}$${key}`,
      `$pbkdf2-sha256$100001$${salt}$${key}`,
      `$pbkdf2-sha256$${iter}$${salt}==$${key}`,
      `$pbkdf2-sha256$${iter}$$${key}`,
      `$pbkdf2-sha256$${iter}$${salt}$${key!.slice(0, 43)}`,
      `$pbkdf2-sha256$${iter}$${salt!.replace(/[A-Za-z]/, "-")}$${key}`,
      `$pbkdf2-sha256$${iter}$${salt}$${key!.replace(/[A-Za-z]/, "_")}`,
    ];
    for (const stored of malformed) expect(await verifyCoderPbkdf2(stored, "pw"), stored).toBe(false);
  });
});

describe("verifyStoredPassword", () => {
  it("flags Coder hashes as legacy, whether or not the password matches", async () => {
    const stored = coderPbkdf2("pw-1", 1);
    expect(isCoderPbkdf2(stored)).toBe(true);
    expect(await verifyStoredPassword(hasher, stored, "pw-1")).toEqual({ ok: true, legacy: true });
    expect(await verifyStoredPassword(hasher, stored, "pw-2")).toEqual({ ok: false, legacy: true });
  });

  it("checks argon2id hashes as before, and never matches an empty hash", async () => {
    const stored = await hasher.hash("pw-1");
    expect(await verifyStoredPassword(hasher, stored, "pw-1")).toEqual({ ok: true, legacy: false });
    expect(await verifyStoredPassword(hasher, stored, "pw-2")).toEqual({ ok: false, legacy: false });
    expect(await verifyStoredPassword(hasher, undefined, "hunter2")).toEqual({ ok: false, legacy: false });
  });

  it("spends at least the argon2 time on a wrong PBKDF2 password, as on an unknown user", async () => {
    // The dummy argon2 verification runs on the PBKDF2 failure path too: a cheap (1-iteration) Coder hash
    // must not make an imported account answer faster than an unknown email.
    const stored = coderPbkdf2("pw-1", 1);
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const fastest = async (fn: () => Promise<unknown>) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, await time(fn));
      return best;
    };
    const pbkdf2Fail = await fastest(() => verifyStoredPassword(hasher, stored, "nope"));
    const argon2Only = await fastest(() => verifyStoredPassword(hasher, undefined, "nope"));
    expect(pbkdf2Fail).toBeGreaterThan(argon2Only * 0.5);
  });
});
