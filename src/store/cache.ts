/** Generations kept for recently invalidated keys; past this many they are forgotten together (see `invalidate`). */
const GENERATIONS_MAX = 10_000;

/**
 * A bounded map of values loaded from the database, least recently used dropped first, each kept
 * at most `ttlMs`. Every key has a generation, moved on by `invalidate`, and the whole cache an
 * epoch, moved on by `clear`: a value is stored only if neither moved while it was being loaded,
 * so a read that raced with a change announced meanwhile can never put the old value back.
 * With `max` 0 nothing is kept and every `get` loads.
 */
export class LoadCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Generations of keys invalidated since the last `clear` (an absent key is at generation 0). */
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The kept value of `key`, else what `load` answers (kept when `keep` says so and no invalidation raced with it). */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const e = this.entries.get(key);
    if (e !== undefined) {
      this.entries.delete(key);
      if (this.now() - e.at < this.ttlMs) {
        this.entries.set(key, e);
        this.hits++;
        return e.value;
      }
    }
    this.misses++;
    if (this.max === 0) return load();
    const epoch = this.epoch;
    const generation = this.generations.get(key);
    const value = await load();
    if (keep(value) && epoch === this.epoch && generation === this.generations.get(key)) {
      this.entries.set(key, { value, at: this.now() });
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  /** Drops the key's value and moves its generation on: loads of it already under way are not kept. */
  invalidate(key: string): void {
    if (this.max === 0) return;
    this.entries.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    // Forgetting generations would let a racing load look current: the epoch moves on instead.
    if (this.generations.size > GENERATIONS_MAX) {
      this.generations.clear();
      this.epoch++;
    }
  }

  /** Drops everything; no load under way is kept. */
  clear(): void {
    this.entries.clear();
    this.generations.clear();
    this.epoch++;
  }
}
