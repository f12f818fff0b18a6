// Workers: argon2 compiled to WASM and imported statically (Workers forbid compiling WASM at run time).
import Argon2, { Argon2Type, Argon2Version } from "@phi-ag/argon2";
import wasm from "@phi-ag/argon2/argon2.wasm";
import { ARGON2_PARAMS, wasmArgon2Input, type Hasher } from "./hasher.ts";

let instance: Promise<Argon2> | undefined;
const argon2 = () => (instance ??= WebAssembly.instantiate(wasm as WebAssembly.Module).then((i) => new Argon2(i)));

export const hasher: Hasher = {
  async hash(password) {
    const a = await argon2();
    return a.hash(wasmArgon2Input(password), {
      ...ARGON2_PARAMS,
      type: Argon2Type.Argon2id,
      version: Argon2Version.Version13,
      salt: crypto.getRandomValues(new Uint8Array(16)),
    }).encoded;
  },
  async verify(phc, password) {
    if (!phc.startsWith("$argon2")) return false;
    const a = await argon2();
    return a.tryVerify(phc, wasmArgon2Input(password)).success;
  },
};
