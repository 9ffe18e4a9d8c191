/** A reference sorted once and re-weighted per chunk gives what sorting it with the weights gives. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/main/core/data/prng';
import { SortedReference } from '../../../src/main/core/drift/sorted-reference';
import { driftScores, sortedSample } from '../../../src/main/core/drift/stats';

describe('SortedReference', () => {
  it('re-weighted, it equals sortedSample(values, weights), and so do the scores', () => {
    const rng = new Rng(3);
    const values = Float32Array.from({ length: 2000 }, () => Math.round(rng.normal() * 20) / 10);
    values[7] = Number.NaN;
    values[99] = Number.POSITIVE_INFINITY;
    const weights = Float64Array.from({ length: 2000 }, (_, i) => (i % 5 === 0 ? 0 : rng.float() * 3));
    const ref = new SortedReference(values);
    const a = ref.sample(weights);
    const b = sortedSample(values, weights);
    expect(a.count).toBe(b.count);
    expect(a.dropped).toBe(b.dropped);
    expect([...a.values]).toEqual([...b.values]);
    for (let k = 0; k < a.count; k += 37) expect(a.cumulative![k]).toBeCloseTo(b.cumulative![k]!, 12);
    expect(a.n).toBeCloseTo(b.n, 9);
    expect(a.mean).toBeCloseTo(b.mean, 12);
    expect(a.std).toBeCloseTo(b.std, 12);
    const cur = sortedSample(Float32Array.from({ length: 500 }, () => rng.normal() + 0.2));
    const sa = driftScores(a, cur);
    const sb = driftScores(b, cur);
    for (const k of ['psi', 'ks', 'ksPValue', 'jsd', 'hellinger', 'wasserstein'] as const) expect(sa[k]).toBeCloseTo(sb[k], 10);
    // unweighted: the plain sample
    expect(ref.sample().count).toBe(1998);
  });

  it('divides a matched Wasserstein distance by the whole reference\'s std, not the re-weighted one\'s', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i / 100); // 0..9.99
    const ref = new SortedReference(values);
    const young = Float64Array.from({ length: 1000 }, (_, i) => (i < 100 ? 1 : 0)); // only the first tenth
    const cur = sortedSample(Float64Array.from({ length: 100 }, (_, i) => i / 100 + 0.5));
    const raw = driftScores(sortedSample(values, young), cur).wasserstein * sortedSample(values, young).std;
    expect(ref.scores(cur, young).scores.wasserstein).toBeCloseTo(raw / ref.whole.std, 10);
  });
});
