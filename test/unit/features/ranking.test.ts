import { describe, expect, it } from 'vitest';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { midRanks, rankFeatures, selectTop } from '../../../src/main/core/features/ranking';
import { failWithin, rulPerRow } from '../../../src/main/core/labels';
import { PrognosError } from '../../../src/shared/errors';
import { loadCmapss } from './load-cmapss';

/** Unit 1: 4 cycles, unit 2: 3 cycles. */
const table = { rowCount: 7, unit: Int32Array.from([1, 1, 1, 1, 2, 2, 2]) };
const rul = Int32Array.from([3, 2, 1, 0, 2, 1, 0]);
const label = Uint8Array.from([0, 0, 1, 1, 0, 1, 1]);

describe('rankFeatures on hand-computed values', () => {
  const up = Float32Array.from([1, 2, 3, 4, 2, 4, 6]);
  const zigzag = Float32Array.from([1, 3, 2, 4, 5, 4, 6]);
  const flat = Float32Array.from([5, 5, 5, 5, 5, 5, 5]);
  const ranking = rankFeatures({ names: ['up', 'zigzag', 'flat'], columns: [up, zigzag, flat], table, rul, label });
  const by = (name: string) => ranking.find((r) => r.name === name)!;

  it('monotonicity, trendability, prognosability and Spearman of a clean trend', () => {
    const r = by('up');
    expect(r.monotonicity).toBe(1);
    expect(r.trendability).toBeCloseTo(1, 10); // both units are straight lines after resampling
    // failure values 4 and 6 (std 1); |start − failure| = 3 and 4 (mean 3.5)
    expect(r.prognosability).toBeCloseTo(Math.exp(-1 / 3.5), 10);
    expect(r.spearmanSigned).toBeCloseTo(-0.9533126619564756, 10);
    expect(r.spearman).toBeCloseTo(0.9533126619564756, 10);
  });

  it('monotonicity of a zigzag: mean_j |#up − #down| / (n_j − 1)', () => {
    // unit 1: +2 −1 +2 → 1/3; unit 2: −1 +2 → 0
    expect(by('zigzag').monotonicity).toBeCloseTo((1 / 3 + 0) / 2, 10);
  });

  it('a constant feature scores 0 everywhere and ranks last', () => {
    expect(by('flat')).toMatchObject({
      mutualInfo: 0,
      spearman: 0,
      monotonicity: 0,
      trendability: 0,
      prognosability: 0,
      rank: 3,
    });
    expect(by('up').rank).toBe(1);
    expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('mutual information of a perfectly separating feature with 2 bins is ln 2', () => {
    const x = Float32Array.from([0, 0, 1, 1]);
    const y = Uint8Array.from([0, 0, 1, 1]);
    const t = { rowCount: 4, unit: Int32Array.from([1, 1, 2, 2]) };
    const [r] = rankFeatures(
      { names: ['x'], columns: [x], table: t, rul: Int32Array.from([1, 0, 1, 0]), label: y },
      { bins: 2 },
    );
    expect(r!.mutualInfo).toBeCloseTo(Math.log(2), 10);
  });

  it('uses only the given rows and carries an optional gain into the combined rank', () => {
    const rows = Uint8Array.from([1, 1, 1, 1, 0, 0, 0]);
    const r = rankFeatures({
      names: ['up', 'zigzag'],
      columns: [up, zigzag],
      table,
      rul,
      label,
      rows,
      gain: { zigzag: 5 },
    });
    const z = r.find((q) => q.name === 'zigzag')!;
    expect(z.gain).toBe(5);
    expect(r.find((q) => q.name === 'up')!.gain).toBe(0);
    // one unit: no unit pair, so trendability is 0; prognosability: std of one failure value is 0
    expect(z.trendability).toBe(0);
    expect(z.prognosability).toBe(1);
  });

  it('mid-ranks average ties', () => {
    expect(Array.from(midRanks([3, 1, 2, 1, -0, 0, -5]))).toEqual([7, 4.5, 6, 4.5, 2.5, 2.5, 1]);
    expect(Array.from(midRanks([2, 2, 2]))).toEqual([2, 2, 2]);
  });
});

describe('selectTop', () => {
  const ranking = rankFeatures({
    names: ['a', 'b', 'c'],
    columns: [
      Float32Array.from([1, 2, 3, 4, 2, 4, 6]),
      Float32Array.from([1, 3, 2, 4, 5, 4, 6]),
      Float32Array.from([5, 5, 5, 5, 5, 5, 5]),
    ],
    table,
    rul,
    label,
  });
  it('takes the best k, pins manual names first, refuses unknown names', () => {
    expect(selectTop(ranking, 2)).toEqual(['a', 'b']);
    expect(selectTop(ranking, 2, ['c'])).toEqual(['c', 'a']);
    expect(selectTop(ranking, 1, ['c', 'b'])).toEqual(['c', 'b']);
    expect(() => selectTop(ranking, 2, ['nope'])).toThrow(PrognosError);
  });
});

describe('ranking on FD001', () => {
  it('ranks smoothed degrading-sensor features above raw noisy ones, metrics in range', () => {
    const train = loadCmapss('train_FD001.txt');
    const f = engineerFeatures(train);
    const rul = rulPerRow(train);
    const ranking = rankFeatures({ names: f.names, columns: f.columns, table: train, rul, label: failWithin(rul, 30) });
    expect(ranking).toHaveLength(f.names.length);
    const rankOf = (name: string): number => ranking.find((r) => r.name === name)!.rank;
    for (const degrading of ['s11_mean_20', 's4_mean_20', 's11_ewma']) {
      for (const noisy of ['s11', 's4', 's9', 's14', 's11_diff', 's8_diff'])
        expect(rankOf(degrading), `${degrading} vs ${noisy}`).toBeLessThan(rankOf(noisy));
    }
    const top = selectTop(ranking, 40);
    expect(top).toHaveLength(40);
    expect(top.some((n) => /^s(11|4)_mean_/.test(n))).toBe(true);
    for (const r of ranking) {
      expect(r.mutualInfo).toBeGreaterThanOrEqual(0);
      expect(r.mutualInfo).toBeLessThanOrEqual(Math.log(2) + 1e-12);
      for (const v of [r.spearman, r.monotonicity, r.trendability, r.prognosability]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(ranking.find((r) => r.name === 's11_mean_20')!.spearmanSigned).toBeLessThan(-0.6);
  });
});
