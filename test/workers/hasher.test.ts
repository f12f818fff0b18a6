// Hashes cross runtimes: the WASM hasher in workerd verifies a hash made by the native Node hasher, and
// the Node hasher (behind a loopback verifier started by the global setup) verifies one made here.
import { hasher } from "#hasher";
import { describe, expect, inject, it } from "vitest";

describe("argon2id across runtimes", () => {
  it("runs inside workerd, where #hasher is the WASM build", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  it("verifies a hash made on Node", async () => {
    const { password, hash } = inject("nodeArgon2Hash");
    expect(await hasher.verify(hash, password)).toBe(true);
    expect(await hasher.verify(hash, `${password}x`)).toBe(false);
  });

  it("makes hashes that Node verifies", async () => {
    const password = "Made-In-Workerd-42!";
    const hash = await hasher.hash(password);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const ask = async (candidate: string) => {
      const res = await fetch(inject("argon2VerifierUrl"), { method: "POST", body: JSON.stringify({ hash, password: candidate }) });
      return (await res.json<{ valid: boolean }>()).valid;
    };
    expect(await ask(password)).toBe(true);
    expect(await ask("not-the-password")).toBe(false);
  });

  it("hashes non-ASCII passwords byte for byte, as Node does (no prefix matches)", async () => {
    const password = "日本語日本語-Pässwörd";
    const hash = await hasher.hash(password);
    expect(await hasher.verify(hash, password)).toBe(true);
    expect(await hasher.verify(hash, "日本ZZZZ")).toBe(false);
    const res = await fetch(inject("argon2VerifierUrl"), { method: "POST", body: JSON.stringify({ hash, password }) });
    expect(((await res.json()) as { valid: boolean }).valid).toBe(true);
  });
});
