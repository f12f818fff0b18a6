// Fixed-window request counts held in this instance's memory (the general API limit), bounded by bytes.
//
// Every key costs its estimated bytes; when a new key would take the table past its budget, the quarter of
// the entries with the LOWEST counts is dropped first (ties: the longest-held first). So a flood of new
// clients (many addresses, each sending one request) only ever displaces other near-empty counters: a
// client close to its limit keeps its count unless most of the table has counted as much, which takes a
// flood of (table size × limit) requests within one window rather than one request per address. Clearing
// the whole table when it filled, as before, handed every flooder a fresh budget for the price of filling it.

/**
 * A conservative estimate of what one entry holds on V8's heap: the key (two bytes a character, in case it
 * is stored as a two-byte string), the string's header, and the Map's slots with their growth slack. Measured
 * on Node 22 with 50,000 flat keys: about 130 bytes for a 64-character key, 103 for a 46-character one; this
 * says 224 and 188.
 */
export const entryBytes = (key: string) => 2 * key.length + 96;

/**
 * The key of `parts`, as one flat string. A template literal would make a rope (V8's ConsString) that keeps
 * every piece alive, about five times the memory per entry (620 bytes for the 64-character key above), which
 * no estimate by length would see; Array.prototype.join copies the characters into a string of their own.
 */
export const counterKey = (parts: readonly string[]) => parts.join("|");

export class WindowCounter {
  private windowStart = -1;
  private counts = new Map<string, number>();
  private used = 0;
  private readonly windowMs: number;
  private readonly maxBytes: number;

  constructor(windowMs: number, maxBytes: number) {
    this.windowMs = windowMs;
    this.maxBytes = maxBytes;
  }

  /** The estimated bytes the table holds now; never above the budget. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.counts.size;
  }

  /**
   * Counts one request for the key made of `parts` (joined with "|") at `now`; answers the count in the
   * window and when the window ends.
   */
  hit(parts: readonly string[], now: number): { count: number; resetMs: number } {
    const key = counterKey(parts);
    const windowStart = now - (now % this.windowMs);
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.counts = new Map();
      this.used = 0;
    }
    const resetMs = windowStart + this.windowMs;
    const seen = this.counts.get(key);
    if (seen !== undefined) {
      this.counts.set(key, seen + 1);
      return { count: seen + 1, resetMs };
    }
    const cost = entryBytes(key);
    // A key larger than the whole budget is not kept (callers build keys of bounded size; this is a guard).
    if (cost > this.maxBytes) return { count: 1, resetMs };
    while (this.used + cost > this.maxBytes && this.counts.size > 0) this.evict(cost);
    this.counts.set(key, 1);
    this.used += cost;
    return { count: 1, resetMs };
  }

  /** Drops the lowest counts until a quarter of the entries (and at least `needed` bytes) are freed. */
  private evict(needed: number): void {
    const values = Uint32Array.from(this.counts.values(), (v) => Math.min(v, 0xffffffff)).sort();
    const quota = Math.max(1, Math.floor(values.length / 4));
    // The count at the quota's edge: everything below it goes, then entries equal to it, oldest first.
    const edge = values[quota - 1]!;
    let removed = 0;
    for (const [key, count] of this.counts) {
      if (count >= edge) continue;
      this.counts.delete(key);
      this.used -= entryBytes(key);
      removed++;
    }
    for (const [key, count] of this.counts) {
      if (removed >= quota && this.used + needed <= this.maxBytes) break;
      if (count > edge) continue;
      this.counts.delete(key);
      this.used -= entryBytes(key);
      removed++;
    }
  }
}
