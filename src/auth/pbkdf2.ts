// Coder's password hashes, so people imported from a Coder deployment keep their passwords
// (Coder's coderd/userpassword/userpassword.go): `$pbkdf2-sha256$<iterations>$<salt>$<hash>`, PBKDF2-HMAC-SHA256 over the
// password's UTF-8 bytes, a 64-byte key, salt and key in standard base64 without padding. Verified with
// WebCrypto, which Node and workerd both provide natively. Gatehouse never writes this format: a
// successful login replaces it with argon2id (src/users/post-login.ts).
import { verifyOrWaste, type Hasher } from "./hasher.ts";

const PREFIX = "$pbkdf2-sha256$";
const KEY_BYTES = 64;
/**
 * Coder writes 65535 (1024 in old versions, 1 in its tests). workerd refuses PBKDF2 above 100000
 * iterations, so a larger count is treated as malformed on both runtimes alike.
 */
const MAX_ITERATIONS = 100_000;
const RAW_STD_BASE64 = /^[A-Za-z0-9+/]+$/;

export const isCoderPbkdf2 = (stored: string): boolean => stored.startsWith(PREFIX);

function decodeRawStd(text: string): Uint8Array | undefined {
  // Go's RawStdEncoding: no padding, no whitespace, and never a length that leaves a lone sextet.
  if (!RAW_STD_BASE64.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

interface Parsed {
  iterations: number;
  salt: Uint8Array;
  key: Uint8Array;
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "" || `$${parts[1]}$` !== PREFIX) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(parts[2]!)) return undefined;
  const iterations = Number(parts[2]);
  const salt = decodeRawStd(parts[3]!);
  const key = decodeRawStd(parts[4]!);
  if (iterations > MAX_ITERATIONS || !salt || salt.length === 0 || key?.length !== KEY_BYTES) return undefined;
  return { iterations, salt, key };
}

/** True when `password` matches a Coder PBKDF2 hash; false (never a throw) for a wrong password or a malformed hash. */
export async function verifyCoderPbkdf2(stored: string, password: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const derived = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: parsed.salt, iterations: parsed.iterations },
      material,
      KEY_BYTES * 8,
    ),
  );
  // Constant time: every byte is compared whatever the earlier ones were.
  let difference = 0;
  for (let i = 0; i < KEY_BYTES; i++) difference |= derived[i]! ^ parsed.key[i]!;
  return difference === 0;
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is Coder's PBKDF2: after a successful login, store an argon2id hash instead. */
  legacy: boolean;
}

/**
 * Checks a password against whatever is stored: argon2id, Coder's PBKDF2, or nothing (unknown user, SSO
 * user: the dummy argon2 hash, see verifyOrWaste). A failed PBKDF2 check also spends the argon2 time, so
 * an imported account never answers faster than an unknown email; the successful path spends it on the
 * rehash. What remains observable is the PBKDF2 cost itself (about one argon2 verification at Coder's
 * 65535 iterations), and only until the account's first login.
 */
export async function verifyStoredPassword(hasher: Hasher, stored: string | undefined, password: string): Promise<PasswordCheck> {
  if (stored && isCoderPbkdf2(stored)) {
    if (await verifyCoderPbkdf2(stored, password)) return { ok: true, legacy: true };
    await verifyOrWaste(hasher, undefined, password);
    return { ok: false, legacy: true };
  }
  return { ok: await verifyOrWaste(hasher, stored, password), legacy: false };
}
