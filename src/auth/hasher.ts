// Password hashing contract. Both implementations produce and accept argon2id PHC strings with the same
// parameters, so a hash written by the Node server verifies on Workers and the other way round.
export interface Hasher {
  hash(password: string): Promise<string>;
  /** False (never a throw) for a malformed or foreign hash. */
  verify(phc: string, password: string): Promise<boolean>;
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32 } as const;

/**
 * @phi-ag/argon2 hashes the UTF-8 bytes of its string argument but passes the string's UTF-16 `length`
 * as their count, so a non-ASCII password would be cut to a prefix (and then match any password sharing
 * that prefix). Padding with NULs until `length` equals the UTF-8 byte count makes it hash exactly the
 * password's UTF-8 bytes, as the native Node build does.
 */
export function wasmArgon2Input(password: string): string {
  const bytes = new TextEncoder().encode(password).length;
  return password + "\0".repeat(bytes - password.length);
}

/**
 * A hash of a random, discarded password, with the same parameters as real ones: verifying against it
 * costs exactly what verifying a real hash costs, and nothing can match it.
 */
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$wsYH1OJZmCsnkmI0isoJMA$5RkrUWOiTWW5vhAAWqOVgKq8kxElBhVMKIPsQBHiq1g";

/**
 * Verifies against `phc`, or, when the account has no password (unknown user, SSO-only user), spends
 * the same time on the dummy hash and answers false, so response time does not reveal which.
 */
export async function verifyOrWaste(hasher: Hasher, phc: string | undefined, password: string): Promise<boolean> {
  if (phc) return hasher.verify(phc, password);
  await hasher.verify(DUMMY_HASH, password);
  return false;
}
