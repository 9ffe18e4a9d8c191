/** The in-process backends: the LRU + TTL cache and the bounded feature store. */
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { MemoryCache } from '../../../src/main/serve-model/memory-cache';
import { MemoryFeatureStore } from '../../../src/main/serve-model/memory-feature-store';

describe('MemoryCache', () => {
  it('expires entries after their TTL', async () => {
    let now = 1_000_000;
    const c = new MemoryCache({ now: () => now });
    await c.set('a', 'A', 300);
    now += 299_999;
    expect(await c.get('a')).toBe('A');
    now += 1;
    expect(await c.get('a')).toBeUndefined();
    expect(c.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it('evicts the least recently used entry beyond its entry bound', async () => {
    const c = new MemoryCache({ maxEntries: 2 });
    await c.set('a', 'A', 60);
    await c.set('b', 'B', 60);
    expect(await c.get('a')).toBe('A'); // a is now the most recent
    await c.set('c', 'C', 60);
    expect(await c.get('b')).toBeUndefined();
    expect(await c.get('a')).toBe('A');
    expect(await c.get('c')).toBe('C');
  });

  it('stays within its byte bound and skips a body larger than the bound', async () => {
    const c = new MemoryCache({ maxBytes: 100 });
    await c.set('k1', 'x'.repeat(20), 60); // 2 × 22 = 44 bytes
    await c.set('k2', 'y'.repeat(20), 60); // 88
    await c.set('k3', 'z'.repeat(20), 60); // 132 → k1 goes
    expect(c.stats()).toEqual({ entries: 2, bytes: 88 });
    expect(await c.get('k1')).toBeUndefined();
    await c.set('big', 'b'.repeat(60), 60);
    expect(await c.get('big')).toBeUndefined();
    expect(c.stats().bytes).toBeLessThanOrEqual(100);
  });

  it('replaces an entry set twice without counting it twice', async () => {
    const c = new MemoryCache();
    await c.set('a', 'one', 60);
    await c.set('a', 'two', 60);
    expect(await c.get('a')).toBe('two');
    expect(c.stats()).toEqual({ entries: 1, bytes: 2 * ('a'.length + 'two'.length) });
  });
});

describe('MemoryFeatureStore', () => {
  const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ cycle: from + i, s2: from + i }));

  it('keeps the last maxRows rows of each unit', async () => {
    const s = new MemoryFeatureStore({ maxRows: 5 });
    expect(await s.append(1, rows(1, 3))).toEqual({ rows: 3, lastCycle: 3 });
    expect(await s.append(1, rows(4, 9))).toEqual({ rows: 5, lastCycle: 9 });
    expect((await s.history(1))!.map((r) => r.cycle)).toEqual([5, 6, 7, 8, 9]);
    await s.append(2, rows(1, 2));
    expect(await s.size()).toEqual({ units: 2, rows: 7 });
    expect(await s.history(3)).toBeUndefined();
  });

  it('keeps the whole history without a bound', async () => {
    const s = new MemoryFeatureStore();
    await s.append(1, rows(1, 400));
    expect((await s.history(1))!.length).toBe(400);
  });

  it('refuses cycles out of order, naming the row, and stores nothing of that call', async () => {
    const s = new MemoryFeatureStore();
    await s.append(1, rows(1, 3));
    const err = await s.append(1, [{ cycle: 4 }, { cycle: 6 }, { cycle: 5 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).details).toEqual({ field: 'rows[2].cycle' });
    await expect(s.append(1, [{ cycle: 3 }])).rejects.toThrow(/rows\[0\]\.cycle: cycle 3 is not after the unit's last stored cycle 3/);
    expect((await s.history(1))!.map((r) => r.cycle)).toEqual([1, 2, 3]);
  });

  it('keeps copies: changing the caller\'s rows later changes nothing stored', async () => {
    const s = new MemoryFeatureStore();
    const mine = rows(1, 2);
    await s.append(1, mine);
    (mine[0] as { s2: number }).s2 = 999;
    expect((await s.history(1))![0]!.s2).toBe(1);
  });
});
