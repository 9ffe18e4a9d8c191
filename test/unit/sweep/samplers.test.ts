/** Samplers: grid order, seeded random, and TPE beating random search on a synthetic objective. */
import { describe, expect, it } from 'vitest';
import { gridPoint, gridSize, randomPoint, tpePoint, type Observation } from '../../../src/main/core/sweep/samplers';
import { parseSearchSpace, type ParamValues, type SearchSpace } from '../../../src/main/core/sweep/space';

const space = parseSearchSpace(
  JSON.stringify({
    gbdt: { subsample: { float: [0.05, 1] }, eta: { logFloat: [1e-4, 1] }, maxDepth: { int: [1, 16] } },
    calibration: { method: { choice: ['auto', 'platt', 'isotonic', 'none'] } },
  }),
  'space.json',
);

/** A smooth bowl with its minimum 0 at subsample 0.3, eta 1e-2, depth 11, method "isotonic". */
function objective(v: ParamValues): number {
  const x = (v['gbdt.subsample'] as number) - 0.3;
  const y = (Math.log10(v['gbdt.eta'] as number) + 2) / 4;
  const z = ((v['gbdt.maxDepth'] as number) - 11) / 15;
  return x * x + y * y + z * z + (v['calibration.method'] === 'isotonic' ? 0 : 0.05);
}

function bestOf(pick: (s: SearchSpace, h: Observation[], seed: number, n: number) => ParamValues, seed: number, trials: number): number {
  const history: Observation[] = [];
  for (let n = 0; n < trials; n++) {
    const values = pick(space, history, seed, n);
    history.push({ values, loss: objective(values) });
  }
  return Math.min(...history.map((h) => h.loss!));
}

describe('samplers', () => {
  it('grid: every point once, last parameter fastest; a float range without a step is refused', () => {
    const g = parseSearchSpace('{ "topK": { "int": [1, 3] }, "models": { "choice": [["gbdt"], ["gbdt", "lstm"]] } }', 'g.json');
    expect(gridSize(g)).toBe(6);
    const points = Array.from({ length: 6 }, (_, i) => gridPoint(g, i));
    expect(points.map((p) => `${String(p.topK)}:${(p.models as string[]).length}`)).toEqual(['1:1', '1:2', '2:1', '2:2', '3:1', '3:2']);
    expect(() => gridSize(space)).toThrow(/gbdt.subsample.*"step"/);
  });

  it('random: in range, integers whole, reproducible from the seed and trial number', () => {
    for (let n = 0; n < 200; n++) {
      const p = randomPoint(space, 7, n);
      expect(p['gbdt.subsample']).toBeGreaterThanOrEqual(0.05);
      expect(p['gbdt.subsample']).toBeLessThanOrEqual(1);
      expect(p['gbdt.eta']).toBeGreaterThanOrEqual(1e-4);
      expect(Number.isInteger(p['gbdt.maxDepth'])).toBe(true);
      expect(['auto', 'platt', 'isotonic', 'none']).toContain(p['calibration.method']);
    }
    expect(randomPoint(space, 7, 3)).toEqual(randomPoint(space, 7, 3));
    expect(randomPoint(space, 7, 3)).not.toEqual(randomPoint(space, 8, 3));
  });

  it('TPE: random until the start-up trials, then deterministic given the same history', () => {
    const history: Observation[] = Array.from({ length: 12 }, (_, n) => {
      const values = randomPoint(space, 1, n);
      return { values, loss: objective(values) };
    });
    expect(tpePoint(space, history.slice(0, 5), 1, 5)).toEqual(randomPoint(space, 1, 5));
    const a = tpePoint(space, history, 1, 12);
    expect(a).toEqual(tpePoint(space, history, 1, 12));
    expect(a).not.toEqual(randomPoint(space, 1, 12));
    // pruned or failed trials (no loss) only feed the bad density
    expect(() => tpePoint(space, [...history, { values: randomPoint(space, 1, 99), loss: null }], 1, 13)).not.toThrow();
  });

  it('TPE beats random search on a synthetic objective over 40 seeds (50 trials each)', () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const tpe = seeds.map((s) => bestOf((sp, h, seed, n) => tpePoint(sp, h, seed, n), s, 50));
    const random = seeds.map((s) => bestOf((sp, _h, seed, n) => randomPoint(sp, seed, n), s, 50));
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const wins = seeds.filter((_, i) => tpe[i]! < random[i]!).length;
    // measured: mean best 0.0214 (TPE) against 0.0515 (random), TPE ahead on 34 of the 40 seeds
    expect(mean(tpe)).toBeLessThan(0.6 * mean(random));
    expect(wins).toBeGreaterThanOrEqual(28);
  });
});
