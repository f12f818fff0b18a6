// Node: the native argon2 addon, which runs on libuv's thread pool and keeps the event loop free.
import { hash, verify } from "@node-rs/argon2";
import { ARGON2_PARAMS, type Hasher } from "./hasher.ts";

// @node-rs/argon2's `Algorithm` is a const enum that isolatedModules cannot import; 2 is Argon2id.
const ARGON2ID = 2;

export const hasher: Hasher = {
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
