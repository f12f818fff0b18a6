// Password rules (https://github.com/coder/coder/blob/main/coderd/userpassword/userpassword.go) and hashing (argon2id, m=19456 KiB, t=2, p=1, the
// Node and WASM builds verify each other's hashes, unknown users cost the same time as wrong passwords).
import initialize from "@phi-ag/argon2/node";
import { Argon2Type, Argon2Version } from "@phi-ag/argon2";
import { beforeAll, describe, expect, it } from "vitest";
import { hasher as nodeHasher, withLanes } from "../../src/auth/hasher-node.ts";
import { ARGON2_PARAMS, verifyOrWaste, wasmArgon2Input, type Hasher } from "../../src/auth/hasher.ts";
import { checkPassword, passwordEntropy } from "../../src/auth/password-policy.ts";
import { OWNER, post, useTestApp } from "../support/harness.ts";

const PHC_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";
const ADVICE = /^insecure password, try .+ or using a longer password$/;

describe("password policy (checkPassword)", () => {
  it.each([
    "SomeSecurePassword!",
    "MySecurePassword!",
    "SomeNewStrongPassword!",
    "Cross-Runtime-Passw0rd!",
    "correct horse battery staple",
  ])("accepts %j", (password) => {
    expect(checkPassword(password)).toBeUndefined();
    expect(passwordEntropy(password)).toBeGreaterThanOrEqual(52);
  });

  it.each([
    ["password", "including more special characters, using uppercase letters, using numbers"],
    ["newpassword", "including more special characters, using uppercase letters, using numbers"],
    ["badpass", "including more special characters, using uppercase letters, using numbers"],
    ["PASSWORD", "including more special characters, using lowercase letters, using numbers"],
    ["12345678", "including more special characters, using lowercase letters, using uppercase letters"],
    ["Pa1!", "including more special characters"],
  ])("rejects %j with go-password-validator's advice", (password, advice) => {
    expect(checkPassword(password)).toBe(`insecure password, try ${advice} or using a longer password`);
  });

  it("rejects the empty password", () => {
    expect(checkPassword("")).toMatch(ADVICE);
    expect(passwordEntropy("")).toBe(0);
  });

  it("gives only the length advice when every character pool is used", () => {
    // Replace (!), separator (-), other special (#), lower, upper, digit: every pool, still too short.
    expect(checkPassword("!-#aA1")).toBe("insecure password, try using a longer password");
  });

  it("does not credit repeated characters or keyboard sequences", () => {
    expect(checkPassword("Aa1!aaaaaaaaaaaaaaaaaaaa")).toMatch(ADVICE);
    expect(checkPassword("Aa1!abcdefghijklmnop")).toMatch(ADVICE);
    expect(checkPassword("Aa1!qwertyuiop")).toMatch(ADVICE);
    expect(passwordEntropy("aaaa")).toBe(passwordEntropy("aa"));
    expect(passwordEntropy("abcd")).toBe(passwordEntropy("ab"));
  });

  it("caps the length at 64 characters", () => {
    const strong64 = `Aa1!${"Zq9#".repeat(15)}`;
    expect(strong64).toHaveLength(64);
    expect(checkPassword(strong64)).toBeUndefined();
    expect(checkPassword(`${strong64}x`)).toBe("password must be no more than 64 characters");
  });

  it("reads sequences case-blind, the Kelvin sign as a k as Go's lower-casing does", () => {
    expect(passwordEntropy("aBcD")).toBe(passwordEntropy("aB"));
    expect(passwordEntropy("j\u212Al")).toBeCloseTo(Math.log2(27) * 2);
    expect(passwordEntropy("j\u212Ax")).toBeCloseTo(Math.log2(27) * 3);
  });

  it("judges the strength before the length, as Coder's Validate does", () => {
    expect(checkPassword("x".repeat(65))).toMatch(ADVICE);
    expect(checkPassword(`Aa1!${"x".repeat(61)}`)).toMatch(ADVICE);
  });

  it("counts the cap in UTF-8 bytes, as Go's len() does", () => {
    // 21 three-byte characters are 63 bytes, plus "A1!" is 66 bytes in 24 characters.
    const wide = `A1!${"日本語".repeat(7)}`;
    expect([...wide]).toHaveLength(24);
    expect(checkPassword(wide)).toBe("password must be no more than 64 characters");
    const fits = `A1!${"日本語".repeat(6)}xyz`; // 3 + 54 + 3 = 60 bytes
    expect(checkPassword(fits)).not.toBe("password must be no more than 64 characters");
  });
});

describe("argon2id hashers", () => {
  let wasm: Awaited<ReturnType<typeof initialize>>;
  let wasmHasher: Hasher;

  beforeAll(async () => {
    wasm = await initialize();
    // src/auth/hasher-wasm.ts's logic on the same WASM build, instantiated the Node way (that module
    // imports the .wasm file statically, which only workerd resolves).
    wasmHasher = {
      hash: async (password) =>
        wasm.hash(wasmArgon2Input(password), {
          ...ARGON2_PARAMS,
          type: Argon2Type.Argon2id,
          version: Argon2Version.Version13,
          salt: crypto.getRandomValues(new Uint8Array(16)),
        }).encoded,
      verify: async (phc, password) => wasm.tryVerify(phc, wasmArgon2Input(password)).success,
    };
  });

  it("the Node hasher writes OWASP-parameter argon2id PHC strings with a random salt", async () => {
    const a = await nodeHasher.hash("SomeSecurePassword!");
    const b = await nodeHasher.hash("SomeSecurePassword!");
    expect(a.startsWith(PHC_PREFIX)).toBe(true);
    expect(a).not.toBe(b);
    expect(a.split("$")).toHaveLength(6);
  });

  it("the WASM build writes the same format", async () => {
    const h = await wasmHasher.hash("SomeSecurePassword!");
    expect(h.startsWith(PHC_PREFIX)).toBe(true);
    expect(h.split("$")).toHaveLength(6);
  });

  it("a Node hash verifies with the WASM build, and only with the right password", async () => {
    const h = await nodeHasher.hash("Made-On-Node-42!");
    expect(wasm.tryVerify(h, "Made-On-Node-42!").success).toBe(true);
    expect(wasm.tryVerify(h, "Made-On-Node-42?").success).toBe(false);
  });

  it("a WASM hash verifies with the Node hasher, and only with the right password", async () => {
    const h = await wasmHasher.hash("Made-In-Wasm-42!");
    expect(await nodeHasher.verify(h, "Made-In-Wasm-42!")).toBe(true);
    expect(await nodeHasher.verify(h, "Made-In-Wasm-42?")).toBe(false);
  });

  it.each(["Pässwörd-日本語-🔑!", "日本語日本語日本語", "🔑🔑🔑🔑🔑🔑🔑🔑"])(
    "hashes non-ASCII %j identically on both",
    async (password) => {
      expect(await wasmHasher.verify(await nodeHasher.hash(password), password)).toBe(true);
      expect(await nodeHasher.verify(await wasmHasher.hash(password), password)).toBe(true);
      expect(await wasmHasher.verify(await nodeHasher.hash(password), `${password}x`)).toBe(false);
    },
  );

  it("hashes every byte of a non-ASCII password on WASM (no prefix collisions)", async () => {
    const h = await wasmHasher.hash("日本語日本語");
    // Six UTF-16 units, eighteen UTF-8 bytes: hashing only six bytes would let "日本" + anything match.
    expect(await wasmHasher.verify(h, "日本ZZZZ")).toBe(false);
    expect(await nodeHasher.verify(h, "日本ZZZZ")).toBe(false);
    expect(await wasmHasher.verify(h, "日本語日本語")).toBe(true);
  });

  it("wasmArgon2Input pads to the UTF-8 byte length and leaves ASCII alone", () => {
    expect(wasmArgon2Input("SomeSecurePassword!")).toBe("SomeSecurePassword!");
    for (const p of ["ä", "日本語", "🔑", "a🔑b"]) {
      const padded = wasmArgon2Input(p);
      expect(padded.startsWith(p)).toBe(true);
      expect(padded.length).toBe(new TextEncoder().encode(p).length);
    }
  });

  it("answers false, never throws, for malformed or foreign hashes", async () => {
    for (const phc of ["", "not-a-hash", "$argon2id$v=19$m=19456,t=2,p=1$broken", "$pbkdf2-sha256$65535$c2FsdA$aGFzaA"]) {
      await expect(nodeHasher.verify(phc, "anything")).resolves.toBe(false);
    }
  });

  it("verifyOrWaste never accepts a password for an account without a hash", async () => {
    for (const password of ["", "hunter2", "SomeSecurePassword!"]) {
      expect(await verifyOrWaste(nodeHasher, undefined, password)).toBe(false);
      expect(await verifyOrWaste(nodeHasher, "", password)).toBe(false);
    }
    const real = await nodeHasher.hash("SomeSecurePassword!");
    expect(await verifyOrWaste(nodeHasher, real, "SomeSecurePassword!")).toBe(true);
    expect(await verifyOrWaste(nodeHasher, real, "hunter2")).toBe(false);
  });
});

describe("login timing does not reveal whether the email exists", () => {
  const { app } = useTestApp({ owner: true });

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };

  async function timeLogin(email: string): Promise<number> {
    const t0 = performance.now();
    const res = await post(app, "/users/login", { email, password: "SomeWrongPassword!" });
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(401);
    return elapsed;
  }

  // Interleaved samples and medians keep one-off scheduler noise out; a retry absorbs a noisy neighbour
  // on a shared 2-core machine. A missing dummy verification would be ~0 ms vs tens of ms: far outside.
  it("an unknown email and a wrong password take about the same time", { retry: 2 }, async () => {
    await timeLogin("warmup@example.com");
    await timeLogin(OWNER.email);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 9; i++) {
      unknown.push(await timeLogin(`nobody${i}@example.com`));
      wrong.push(await timeLogin(OWNER.email));
    }
    const [u, w] = [median(unknown), median(wrong)];
    const ratio = Math.max(u, w) / Math.min(u, w);
    expect(ratio, `median unknown ${u.toFixed(1)} ms, wrong ${w.toFixed(1)} ms`).toBeLessThan(1.5);
    // Both actually ran argon2 (tens of milliseconds), not a shortcut.
    expect(Math.min(u, w)).toBeGreaterThan(5);
  });
});

describe("hashing lanes on Node (withLanes)", () => {
  it("runs at most `lanes` hashes and verifies at once, and every one of them", async () => {
    let running = 0;
    let most = 0;
    const slow = async <T>(value: T) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return value;
    };
    const inner: Hasher = { hash: (p) => slow(`hash:${p}`), verify: (phc, p) => slow(phc === `hash:${p}`) };
    const limited = withLanes(inner, 2);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => limited.hash(`p${i}`)),
      ...Array.from({ length: 5 }, (_, i) => limited.verify(`hash:p${i}`, i % 2 === 0 ? `p${i}` : "wrong")),
    ]);
    expect(most).toBe(2);
    expect(results).toEqual(["hash:p0", "hash:p1", "hash:p2", "hash:p3", "hash:p4", true, false, true, false, true]);
  });
});
