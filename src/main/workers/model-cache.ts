/**
 * A bounded cache of loaded models (tfjs LSTMs, onnxruntime sessions): the least recently used
 * entry is released (tensors disposed, sessions released) when the bound is passed, and every entry
 * on `clear()`.
 */
export class ModelCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly limit: number,
    private readonly release: (value: V) => void | Promise<void>,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`cache bound must be a positive integer, got ${limit}`);
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The cached value (now the most recent), or a new one from `load`, evicting the oldest past the bound. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = await load();
    const raced = this.entries.get(key);
    if (raced !== undefined) {
      // loaded twice at once: keep the first, release this one
      await this.release(value);
      return raced;
    }
    this.entries.set(key, value);
    while (this.entries.size > this.limit) {
      const [oldest, v] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      await this.release(v);
    }
    return value;
  }

  /** Releases and forgets one entry (e.g. a bundle replaced on disk). */
  async delete(key: string): Promise<void> {
    const v = this.entries.get(key);
    if (v === undefined) return;
    this.entries.delete(key);
    await this.release(v);
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const v of all) await this.release(v);
  }
}
