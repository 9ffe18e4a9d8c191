/** The bounded model cache: least recently used entries are released past the bound and on clear. */
import { beforeAll, describe, expect, it } from 'vitest';
import { LstmModel, selectBackend, type LstmArchitecture } from '../../../src/main/core/models/lstm';
import { ModelCache } from '../../../src/main/workers/model-cache';
import { tensorCount } from '../../../src/main/workers/trained-run';

describe('ModelCache', () => {
  it('keeps at most `limit` entries, releasing the least recently used one', async () => {
    const released: string[] = [];
    let loads = 0;
    const cache = new ModelCache<string>(2, (v) => {
      released.push(v);
    });
    const get = (k: string): Promise<string> =>
      cache.get(k, () => {
        loads++;
        return Promise.resolve(`model ${k}`);
      });
    await get('a');
    await get('b');
    await get('a'); // a hit: a becomes the most recent
    expect(loads).toBe(2);
    await get('c'); // evicts b, not a
    expect(released).toEqual(['model b']);
    expect(cache.size).toBe(2);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    await get('b'); // loaded again, evicts a
    expect(loads).toBe(4);
    expect(released).toEqual(['model b', 'model a']);
    await cache.clear();
    expect(released.sort()).toEqual(['model a', 'model b', 'model b', 'model c']);
    expect(cache.size).toBe(0);
  });

  it('releases a value loaded twice at once, keeping the first', async () => {
    const released: number[] = [];
    const cache = new ModelCache<number>(4, (v) => {
      released.push(v);
    });
    let n = 0;
    const load = async (): Promise<number> => {
      const mine = ++n;
      await new Promise((r) => setTimeout(r, 10));
      return mine;
    };
    const [x, y] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(x).toBe(1);
    expect(y).toBe(1);
    expect(released).toEqual([2]);
  });

  it('refuses a bound below 1', () => {
    expect(() => new ModelCache<number>(0, () => undefined)).toThrow(/positive integer/);
  });

  describe('with tfjs LSTMs', () => {
    const arch: LstmArchitecture = { features: 3, length: 6, units1: 5, units2: 4, attentionUnits: 3, dropout: 0 };
    beforeAll(async () => {
      await selectBackend();
    });

    it('disposes the tensors of every evicted and cleared model: the count returns to its baseline', async () => {
      const baseline = tensorCount();
      const cache = new ModelCache<LstmModel>(2, (m) => m.dispose());
      const windows = { data: new Float32Array(4 * 6 * 3).fill(0.5), n: 4, length: 6, features: 3 };
      await cache.get('a', () => Promise.resolve(LstmModel.create(arch, 1)));
      const perModel = tensorCount() - baseline;
      expect(perModel).toBeGreaterThan(0);
      for (const k of ['b', 'c', 'd', 'e']) {
        const m = await cache.get(k, () => Promise.resolve(LstmModel.create(arch, 2)));
        m.predict(windows); // scoring leaves no temporaries behind either
      }
      expect(tensorCount() - baseline).toBe(2 * perModel);
      await cache.clear();
      expect(tensorCount()).toBe(baseline);
    });
  });
});
