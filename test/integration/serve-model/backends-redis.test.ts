/**
 * RedisCache and RedisFeatureStore against a real redis-server (CI's, or a private one): TTL expiry,
 * ordering errors, trimming, concurrent appends from two clients, and a Redis that goes away and
 * comes back (always a private instance, since the test stops it).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { RedisCache } from '../../../src/main/serve-model/redis-cache';
import { RedisFeatureStore } from '../../../src/main/serve-model/redis-feature-store';
import { MemoryCache } from '../../../src/main/serve-model/memory-cache';
import { describeWith } from '../../helpers/tools';
import { privateRedis, REDIS_SERVER, sharedRedis, type TestServer } from '../../helpers/real-servers';
import { until } from './serve-helpers';

const rand = (): string => randomBytes(6).toString('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function invalid(pattern: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof PrognosError && e.code === 'INVALID_INPUT' && pattern.test(e.message);
}

describeWith(REDIS_SERVER)('Redis backends', () => {
  let redis: TestServer;
  let raw: Redis;
  beforeAll(async () => {
    redis = await sharedRedis();
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    await raw.quit();
    await redis.dispose();
  });

  describe('RedisCache', () => {
    it('stores entries under prognos:cache: with the TTL, shared by two clients, and expires them', async () => {
      const a = await RedisCache.open(redis.url);
      const b = await RedisCache.open(redis.url);
      try {
        const key = `k-${rand()}`;
        expect(await a.get(key)).toBeUndefined();
        await a.set(key, '{"units":[1]}', 300);
        expect(await b.get(key)).toBe('{"units":[1]}');
        expect(await raw.get(`prognos:cache:${key}`)).toBe('{"units":[1]}');
        const ttl = await raw.ttl(`prognos:cache:${key}`);
        expect(ttl).toBeGreaterThan(290);
        expect(ttl).toBeLessThanOrEqual(300);

        const short = `short-${rand()}`;
        await a.set(short, 'x', 2);
        expect(await b.get(short)).toBe('x');
        await sleep(2600);
        expect(await b.get(short)).toBeUndefined();
        expect(await a.healthy()).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('RedisFeatureStore', () => {
    it('appends in order, rejects cycles out of order naming the row, and keeps histories across clients', async () => {
      const prefix = `prognos:fs:test-${rand()}:`;
      const a = await RedisFeatureStore.open(redis.url, { prefix });
      const b = await RedisFeatureStore.open(redis.url, { prefix });
      try {
        expect(await a.history(1)).toBeUndefined();
        expect(await a.append(1, [{ cycle: 1, s2: 641.8 }, { cycle: 2, s2: 642.1 }])).toEqual({ rows: 2, lastCycle: 2 });
        expect(await b.append(1, [{ cycle: 3, s2: 642.5 }])).toEqual({ rows: 3, lastCycle: 3 });
        expect(await a.history(1)).toEqual([{ cycle: 1, s2: 641.8 }, { cycle: 2, s2: 642.1 }, { cycle: 3, s2: 642.5 }]);

        await expect(b.append(1, [{ cycle: 3, s2: 1 }])).rejects.toSatisfy(invalid(/rows\[0\]\.cycle: cycle 3 is not after the unit's last stored cycle 3/));
        await expect(b.append(1, [{ cycle: 5 }, { cycle: 4 }])).rejects.toSatisfy(invalid(/rows\[1\]\.cycle: cycle 4 is not after the previous row's cycle 5/));
        await expect(b.append(1, [{ cycle: 6, s2: Number.NaN }])).rejects.toSatisfy(invalid(/rows\[0\]\.s2: must be a finite number/));
        await expect(b.append(1, [{ cycle: 6.5 }])).rejects.toSatisfy(invalid(/rows\[0\]\.cycle: must be a whole number/));
        // a rejected append stored nothing
        expect((await a.history(1))!.map((r) => r.cycle)).toEqual([1, 2, 3]);
        expect(await a.size()).toEqual({ units: 1, rows: 3 });
        expect(await a.healthy()).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('trims each unit to its bound, oldest rows first, and counts what it holds', async () => {
      const prefix = `prognos:fs:test-${rand()}:`;
      const s = await RedisFeatureStore.open(redis.url, { prefix, maxRows: 30 });
      try {
        for (let c = 1; c <= 100; c += 10) {
          const rows = Array.from({ length: 10 }, (_, i) => ({ cycle: c + i, s3: 1590 + c + i }));
          await s.append(4, rows);
        }
        const h = (await s.history(4))!;
        expect(h.map((r) => r.cycle)).toEqual(Array.from({ length: 30 }, (_, i) => 71 + i));
        await s.append(5, [{ cycle: 1, s3: 1 }]);
        expect(await s.size()).toEqual({ units: 2, rows: 31 });
        // a single append longer than the bound keeps its newest rows
        const r = await s.append(6, Array.from({ length: 45 }, (_, i) => ({ cycle: i + 1 })));
        expect(r).toEqual({ rows: 30, lastCycle: 45 });
        expect((await s.history(6))![0]!.cycle).toBe(16);
        expect(await s.size()).toEqual({ units: 3, rows: 61 });
      } finally {
        await s.close();
      }
    });

    it('two clients racing to append the same cycles: each cycle is stored once, in order', async () => {
      const prefix = `prognos:fs:test-${rand()}:`;
      const a = await RedisFeatureStore.open(redis.url, { prefix });
      const b = await RedisFeatureStore.open(redis.url, { prefix });
      try {
        let wins = 0;
        let losses = 0;
        for (let c = 1; c <= 150; c++) {
          const results = await Promise.allSettled([a.append(9, [{ cycle: c, who: 1 }]), b.append(9, [{ cycle: c, who: 2 }])]);
          for (const r of results) {
            if (r.status === 'fulfilled') wins++;
            else {
              expect(r.reason).toSatisfy(invalid(/is not after the unit's last stored cycle/));
              losses++;
            }
          }
        }
        expect(wins).toBe(150);
        expect(losses).toBe(150);
        const h = (await a.history(9))!;
        expect(h.map((r) => r.cycle)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
        // disjoint units appended concurrently by both: counters stay exact
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).append(100 + i, Array.from({ length: 5 }, (_, k) => ({ cycle: k + 1 })))),
        );
        expect(await b.size()).toEqual({ units: 41, rows: 150 + 200 });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('a Redis that goes away', () => {
    let own: TestServer;
    beforeAll(async () => {
      own = await privateRedis();
    });
    afterAll(async () => {
      await own.dispose();
    });

    it('makes the cache miss quickly and skip sets, reports unhealthy, and reconnects by itself', async () => {
      const cache = await RedisCache.open(own.url);
      const store = await RedisFeatureStore.open(own.url, { prefix: `prognos:fs:test-${rand()}:` });
      try {
        await cache.set('k', 'v', 300);
        expect(await cache.get('k')).toBe('v');
        await store.append(1, [{ cycle: 1 }]);

        await own.stop();
        const t0 = Date.now();
        const misses = await Promise.all(Array.from({ length: 50 }, () => cache.get('k')));
        await cache.set('k2', 'v2', 300);
        const took = Date.now() - t0;
        expect(misses.every((m) => m === undefined)).toBe(true);
        expect(took).toBeLessThan(1500);
        expect(await cache.healthy()).toBe(false);
        expect(await store.healthy()).toBe(false);
        await expect(store.append(1, [{ cycle: 2 }])).rejects.toSatisfy(
          (e: unknown) => e instanceof PrognosError && e.code === 'INTERNAL' && /feature store \(Redis\) does not answer/.test(e.message),
        );

        // the private server comes back empty (no persistence): the clients find it without help
        await own.start();
        await until(() => cache.healthy(), 'the cache to reconnect', 20_000, 50);
        await until(() => store.healthy(), 'the store to reconnect', 20_000, 50);
        await cache.set('k3', 'v3', 300);
        expect(await cache.get('k3')).toBe('v3');
        expect(await store.append(1, [{ cycle: 5 }])).toEqual({ rows: 1, lastCycle: 5 });
      } finally {
        await cache.close();
        await store.close();
      }
    });

    it('with an in-process fallback, keeps answering its own hits while Redis is down', async () => {
      const local = new MemoryCache();
      const cache = await RedisCache.open(own.url, { fallback: local });
      const other = await RedisCache.open(own.url);
      try {
        await cache.set('warm', 'w', 300);
        expect(await other.get('warm')).toBe('w');
        expect(await local.get('warm')).toBe('w');
        await own.stop();
        expect(await other.get('warm')).toBeUndefined();
        expect(await cache.get('warm')).toBe('w');
        await cache.set('during', 'd', 300);
        expect(await cache.get('during')).toBe('d');
        expect(await cache.healthy()).toBe(false);
      } finally {
        await own.start();
        await cache.close();
        await other.close();
      }
    });
  });
});
