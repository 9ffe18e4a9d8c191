/**
 * The model server's fast paths give the answers of the plain ones, byte for byte:
 * - scoring: FastScorer (the features the models read, micro-batched single-threaded sessions), in
 *   the request thread (the default) and in the server's scoring thread, and BundleScorer's models
 *   engine (what `prognos predict --bundle` runs) give identical JSON;
 * - micro-batching: a unit's answer does not depend on which requests arrived with it;
 * - the raw-body cache path: a hit answers the stored bytes of the miss, before parsing, and is
 *   counted and logged like any hit.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMAPSS } from '../../helpers/paths';
import { postJson, startServer, unitsOf, type Started, type Unit } from './serve-helpers';

let fast: Started;
let threaded: Started;
let plain: Started;
let cached: Started;
let units: Unit[];

const post = async (url: string, body: string): Promise<{ status: number; cache: string | null; text: string }> => {
  const r = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: r.status, cache: r.headers.get('x-prognos-cache'), text: await r.text() };
};

beforeAll(async () => {
  units = unitsOf(join(CMAPSS, 'test_FD001.txt'));
  fast = await startServer({ cacheTtlSeconds: 0 });
  threaded = await startServer({ cacheTtlSeconds: 0, scoring: 'thread' });
  plain = await startServer({ cacheTtlSeconds: 0, scoring: 'plain' });
  cached = await startServer({ cacheTtlSeconds: 300 });
}, 120_000);

afterAll(async () => {
  await fast?.stop();
  await threaded?.stop();
  await plain?.stop();
  await cached?.stop();
});

describe('the fast scoring path', () => {
  it('answers exactly as the models engine, for requests of 2 to 50 units', async () => {
    const groups = [units.slice(0, 2), units.slice(2, 7), units.slice(7, 20), units.slice(20, 70), units.slice(70, 100)];
    for (const g of groups) {
      const body = JSON.stringify({ units: g });
      const [a, b, c] = await Promise.all([post(fast.url, body), post(plain.url, body), post(threaded.url, body)]);
      expect(a.status).toBe(200);
      expect(a.cache).toBe('off');
      expect(a.text).toBe(b.text);
      expect(c.text).toBe(b.text);
    }
  });

  it('scores on the request thread by default, in a worker thread when asked', () => {
    expect(fast.server.model.scorer.constructor.name).toBe('FastScorer');
    expect(threaded.server.model.scorer.constructor.name).toBe('ThreadScorer');
  });

  it("gives a unit the same answer alone, among others, and whatever arrives with it", async () => {
    const some = units.slice(30, 62);
    const together = JSON.parse((await post(fast.url, JSON.stringify({ units: some }))).text) as { units: unknown[] };
    // one at a time (each scored alone)
    const alone: unknown[] = [];
    for (const u of some) alone.push((JSON.parse((await post(fast.url, JSON.stringify({ units: [u] }))).text) as { units: unknown[] }).units[0]);
    // 32 at once (micro-batched together)
    const concurrent = await Promise.all(some.map(async (u) => (JSON.parse((await post(fast.url, JSON.stringify({ units: [u] }))).text) as { units: unknown[] }).units[0]));
    expect(alone).toEqual(together.units);
    expect(concurrent).toEqual(together.units);
    const stats = (fast.server.model.scorer as unknown as { stats(): Record<string, { calls: number; rows: number }> }).stats();
    // the 32 concurrent requests shared onnxruntime calls
    expect(stats.lstm!.calls).toBeLessThan(stats.lstm!.rows);
  });
});

describe('the raw-body cache path', () => {
  it('answers a repeated body from the cache with the bytes of the first answer, before parsing it', async () => {
    const body = JSON.stringify({ units: units.slice(3, 5) });
    const miss = await post(cached.url, body);
    expect(miss.cache).toBe('miss');
    const indexed = cached.server.model.rawKeys.size;
    const hit = await post(cached.url, body);
    expect(hit.cache).toBe('hit');
    expect(hit.text).toBe(miss.text);
    // and it is the scored answer: the same as the cache-off server gives
    expect(miss.text).toBe((await post(fast.url, body)).text);
    expect(cached.server.model.rawKeys.size).toBe(indexed);

    // the same input with keys in another order: other bytes, the same canonical input (a hit), and then those bytes hit too
    const reordered = JSON.stringify({ units: units.slice(3, 5).map((u) => ({ rows: u.rows.map((r) => Object.fromEntries(Object.entries(r).reverse())), unit: u.unit })) });
    const canonicalHit = await post(cached.url, reordered);
    expect(canonicalHit.cache).toBe('hit');
    expect(canonicalHit.text).toBe(miss.text);
    expect(cached.server.model.rawKeys.size).toBe(indexed + 1);
    expect((await post(cached.url, reordered)).cache).toBe('hit');

    const metrics = await (await fetch(`${cached.url}/metrics`)).text();
    expect(metrics).toMatch(/^prognos_cache_requests_total\{result="hit"\} 3$/m);
    expect(metrics).toMatch(/^prognos_cache_requests_total\{result="miss"\} 1$/m);
    await cached.log.flush();
    // 4 requests of 2 units, every prediction logged, hits included
    expect(cached.log.count()).toBe(8);
  });

  it('still refuses bad bodies, repeated or not, and never caches them', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await postJson(`${cached.url}/predict`, '{"units": [');
      expect(r.status).toBe(400);
      expect((r.json.error as { message: string }).message).toMatch(/not valid JSON/);
      const bad = await postJson(`${cached.url}/predict`, { units: [{ unit: 1, rows: [{ cycle: 1 }] }] });
      expect(bad.status).toBe(422);
      expect((bad.json.error as { field: string }).field).toMatch(/^units\[0\]\.rows\[0\]\./);
    }
    const proto = await postJson(`${cached.url}/predict`, '{"units": [], "__proto__": {"x": 1}}');
    expect(proto.status).toBe(400);
  });
});
