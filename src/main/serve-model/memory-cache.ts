/** The in-process prediction cache: LRU bounded by entries and bytes, each entry with its TTL. */
import type { PredictionCache } from './types';

export interface MemoryCacheOptions {
  /** most entries kept (default 10,000) */
  readonly maxEntries?: number;
  /** most bytes of keys and bodies kept, counted as UTF-16 code units × 2 (default 64 MiB) */
  readonly maxBytes?: number;
  /** the clock, in ms (tests) */
  readonly now?: () => number;
}

interface Entry {
  readonly body: string;
  readonly expires: number;
  readonly bytes: number;
}

export class MemoryCache implements PredictionCache {
  readonly kind = 'memory' as const;
  /** insertion order is recency order: a hit moves its entry to the end */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(opts: MemoryCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  get(key: string): Promise<string | undefined> {
    const e = this.entries.get(key);
    if (e === undefined) return Promise.resolve(undefined);
    this.entries.delete(key);
    if (e.expires <= this.now()) {
      this.bytes -= e.bytes;
      return Promise.resolve(undefined);
    }
    this.entries.set(key, e);
    return Promise.resolve(e.body);
  }

  set(key: string, body: string, ttlSeconds: number): Promise<void> {
    this.remove(key);
    const bytes = 2 * (key.length + body.length);
    if (ttlSeconds <= 0 || bytes > this.maxBytes) return Promise.resolve();
    this.entries.set(key, { body, expires: this.now() + ttlSeconds * 1000, bytes });
    this.bytes += bytes;
    // evict the least recently used until both bounds hold
    for (const [k] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(k);
    }
    return Promise.resolve();
  }

  /** entries and bytes held (expired entries count until they are touched or evicted) */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
    return Promise.resolve();
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

/**
 * Keys of the raw-body fast path: the SHA-256 of a request's exact bytes → the cache key of its
 * canonical input. A pure function of the bytes, memoised; bounded by entries, least recently used
 * first out. It holds no answers: those stay in the cache, with its TTL and its backend.
 */
export class KeyIndex {
  private readonly keys = new Map<string, string>();

  constructor(private readonly maxEntries = 10_000) {}

  get(raw: string): string | undefined {
    const key = this.keys.get(raw);
    if (key !== undefined) {
      this.keys.delete(raw);
      this.keys.set(raw, key);
    }
    return key;
  }

  set(raw: string, key: string): void {
    this.keys.delete(raw);
    this.keys.set(raw, key);
    if (this.keys.size > this.maxEntries) this.keys.delete(this.keys.keys().next().value!);
  }

  get size(): number {
    return this.keys.size;
  }
}
