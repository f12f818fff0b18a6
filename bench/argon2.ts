// The login limit, measured in the bench process with the hasher the Node server uses: `cores / hash time`.
// Hash time is one verification of an argon2id hash with Gatehouse's parameters (what a login costs),
// timed as logins run it under load: one verification per core at once, back to back, for a bounded time,
// so what parallel hashes cost each other (memory bandwidth, other work on the machine) is in the limit
// as it is in the server. The single-lane time is reported beside it.
import { availableParallelism } from "node:os";
import { hasher } from "#hasher";

export interface Argon2Limit {
  cores: number;
  /** Wall time of one verification with every core verifying. */
  hashMs: number;
  /** Wall time of one verification alone. */
  singleHashMs: number;
  /** Logins per second if every core did nothing but argon2. */
  limitRps: number;
}

const LANE_MS = 1500;
const SINGLE_RUNS = 9;

export async function argon2Limit(): Promise<Argon2Limit> {
  const password = "Bench-Argon2-Passw0rd!";
  const phc = await hasher.hash(password);
  const verify = async () => {
    if (!(await hasher.verify(phc, password))) throw new Error("argon2 verify failed");
  };
  await verify(); // warm-up: the first call allocates the addon's buffers

  const single: number[] = [];
  for (let i = 0; i < SINGLE_RUNS; i++) {
    const t0 = performance.now();
    await verify();
    single.push(performance.now() - t0);
  }
  single.sort((a, b) => a - b);

  const cores = availableParallelism();
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: cores }, async () => {
      // Bounded by time; each lane finishes the verification it started.
      while (performance.now() - t0 < LANE_MS) {
        await verify();
        done++;
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const hashMs = (elapsed * cores) / done;
  return { cores, hashMs, singleHashMs: single[SINGLE_RUNS >> 1]!, limitRps: (cores * 1000) / hashMs };
}
