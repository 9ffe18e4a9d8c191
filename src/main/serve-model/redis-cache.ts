/**
 * The prediction cache in Redis (`--redis URL`): every replica reads and writes the same entries, so a
 * request answered by one pod is a hit on the others. Entries are plain strings under
 * `prognos:cache:<key>` set with an expiry (SET … EX ttl). A Redis that is down is a miss on `get` and
 * a skipped `set`, answered within the command timeout; the client reconnects by itself.
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

  constructor(private readonly client: Redis) {}

  /** Connects to `url` (waiting briefly; a Redis that is down still gives a working, always-missing cache). */
  static async open(url: string, opts: RedisClientOptions = {}): Promise<RedisCache> {
    return new RedisCache(await connectRedis(url, { name: 'prognos-cache', ...opts }));
  }

  async get(key: string): Promise<string | undefined> {
    if (this.client.status !== 'ready') return undefined;
    try {
      const v = await this.client.get(REDIS_CACHE_PREFIX + key);
      return v ?? undefined;
    } catch (e) {
      this.noteFailure('get', e);
      return undefined;
    }
  }

  async set(key: string, body: string, ttlSeconds: number): Promise<void> {
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

  close(): Promise<void> {
    return closeRedis(this.client);
  }

  private noteFailure(op: string, e: unknown): void {
    // one line per 100 failures: an outage must not flood the log at the request rate
    if (this.failures++ % 100 === 0) log.warn(`cache ${op} skipped: ${e instanceof Error ? e.message : String(e)}`);
  }
}
