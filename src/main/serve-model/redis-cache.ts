/**
 * The prediction cache in Redis (`--redis URL`): every replica reads and writes the same entries, so a
 * request answered by one pod is a hit on the others. Entries are plain strings under
 * `prognos:cache:<key>` set with an expiry (SET … EX ttl). A Redis that is down is a miss on `get` and
 * a skipped `set`, answered within the command timeout; the client reconnects by itself.
 *
 * With a `fallback` (the in-process cache), every entry is also written there, and while Redis is
 * down `get` answers from it: a replica keeps its own hits through an outage.
 */
import type { Redis } from 'ioredis';
import { logger } from '../services/logger';
import { closeRedis, connectRedis, redisAnswers, type RedisClientOptions } from './redis-client';
import type { PredictionCache } from './types';

const log = logger('serve-model:redis-cache');

export const REDIS_CACHE_PREFIX = 'prognos:cache:';

export class RedisCache implements PredictionCache {
  readonly kind = 'redis' as const;
  private failures = 0;

  constructor(
    private readonly client: Redis,
    private readonly fallback?: PredictionCache,
  ) {}

  /**
   * Connects to `url` (waiting briefly; a Redis that is down still gives a working cache: misses, or
   * the fallback's hits).
   */
  static async open(url: string, opts: RedisClientOptions & { fallback?: PredictionCache } = {}): Promise<RedisCache> {
    return new RedisCache(await connectRedis(url, { name: 'prognos-cache', ...opts }), opts.fallback);
  }

  async get(key: string): Promise<string | undefined> {
    if (this.client.status !== 'ready') return this.fallback?.get(key);
    try {
      const v = await this.client.get(REDIS_CACHE_PREFIX + key);
      return v ?? undefined;
    } catch (e) {
      this.noteFailure('get', e);
      return this.fallback?.get(key);
    }
  }

  async set(key: string, body: string, ttlSeconds: number): Promise<void> {
    await this.fallback?.set(key, body, ttlSeconds);
    if (this.client.status !== 'ready') return;
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    try {
      await this.client.set(REDIS_CACHE_PREFIX + key, body, 'EX', ttl);
    } catch (e) {
      this.noteFailure('set', e);
    }
  }

  healthy(): Promise<boolean> {
    return redisAnswers(this.client);
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
    await this.fallback?.close();
  }

  private noteFailure(op: string, e: unknown): void {
    // one line per 100 failures: an outage must not flood the log at the request rate
    if (this.failures++ % 100 === 0) log.warn(`cache ${op} skipped: ${e instanceof Error ? e.message : String(e)}`);
  }
}
