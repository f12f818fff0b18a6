// Node: the native argon2 addon, which runs on libuv's thread pool and keeps the event loop free.
//
// At most one hash per core runs at a time; the rest wait their turn in order. libuv's pool has four
// threads whatever the machine, and on a 2-core machine four concurrent hashes, each streaming 19 MiB,
// only share the cores and evict each other's caches (and the event loop's). Sign-ins at 16 connections on
// 2 cores, two servers in alternating runs, two lanes against four: 121–125 against 111–117 sign-ins a
// second, with 12% less CPU per sign-in. It also leaves pool threads free for DNS and file work while a
// burst of sign-ins is hashing.
import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import pLimit from "p-limit";
import { ARGON2_PARAMS, type Hasher } from "./hasher.ts";

// @node-rs/argon2's `Algorithm` is a const enum that isolatedModules cannot import; 2 is Argon2id.
const ARGON2ID = 2;

/** `inner`, with at most `lanes` of its hashes and verifies running at once. */
export function withLanes(inner: Hasher, lanes: number): Hasher {
  const limit = pLimit(lanes);
  return {
    hash: (password) => limit(() => inner.hash(password)),
    verify: (phc, password) => limit(() => inner.verify(phc, password)),
  };
}

const native: Hasher = {
  hash: (password) =>
    hash(password, {
      algorithm: ARGON2ID,
      memoryCost: ARGON2_PARAMS.memoryCost,
      timeCost: ARGON2_PARAMS.timeCost,
      parallelism: ARGON2_PARAMS.parallelism,
      outputLen: ARGON2_PARAMS.hashLength,
    }),
  async verify(phc, password) {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  },
};

/** How many hashes run at once: one per core (see above). */
export const HASH_LANES = availableParallelism();

export const hasher: Hasher = withLanes(native, HASH_LANES);
