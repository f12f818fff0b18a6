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
 * Verifies against `phc`, or, when the account has no password (unknown user, SSO-only user), spends
 * the same time on a throwaway hash and answers false, so response time does not reveal which.
 */
export async function verifyOrWaste(hasher: Hasher, phc: string | undefined, password: string): Promise<boolean> {
  if (phc) return hasher.verify(phc, password);
  await hasher.verify(await dummyHash(hasher), password);
  return false;
}

const dummies = new WeakMap<Hasher, Promise<string>>();
function dummyHash(hasher: Hasher): Promise<string> {
  let p = dummies.get(hasher);
  if (!p) {
    p = hasher.hash(crypto.randomUUID());
    dummies.set(hasher, p);
  }
  return p;
}
