// The micro-benchmarks' one timing loop (npm run bench:verify, npm run bench:worker-handle): each case run
// `iterations` times per round, the cases alternating within every round so that drift from other work on
// the machine hits them alike, and a first round that only warms up. What is measured is the process's CPU
// time per call, steadier than wall time on a shared machine.

/** µs of CPU per call of each case, one figure per measured round. */
export async function cpuPerCall(
  cases: Record<string, () => unknown>,
  { rounds, iterations }: { rounds: number; iterations: number },
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
  for (let round = 0; round < rounds + 1; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const start = process.cpuUsage();
      for (let i = 0; i < iterations; i++) await run();
      const { user, system } = process.cpuUsage(start);
      if (round > 0) samples.get(name)!.push((user + system) / iterations); // round 0 warms up
    }
  }
  return samples;
}
