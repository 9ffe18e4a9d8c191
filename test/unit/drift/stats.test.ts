import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/main/core/data/prng';
import {
  binShares,
  driftHistogram,
  driftScores,
  jensenShannonFromShares,
  kolmogorovSf,
  ksPValue,
  ksStatistic,
  PSI_EPSILON,
  quantile,
  referenceQuantileEdges,
  sortedSample,
  wasserstein1,
} from '../../../src/main/core/drift/stats';
import { runPythonJson } from '../../helpers/python';
import { describeWith, PYTHON_SCIPY } from '../../helpers/tools';

function normals(seed: number, n: number, mean = 0, sd = 1, decimals?: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  const f = decimals === undefined ? 0 : 10 ** decimals;
  for (let i = 0; i < n; i++) {
    const v = mean + sd * rng.normal();
    out[i] = decimals === undefined ? v : Math.round(v * f) / f;
  }
  return out;
}

describe('sortedSample', () => {
  it('drops NaN and ±Infinity, counts them, and sorts the rest', () => {
    const s = sortedSample(Float32Array.from([3, Number.NaN, -1, Infinity, 2, -Infinity, 0]));
    expect(Array.from(s.values)).toEqual([-1, 0, 2, 3]);
    expect(s.count).toBe(4);
    expect(s.dropped).toBe(3);
    expect(s.n).toBe(4);
    expect(s.mean).toBeCloseTo(1, 12);
    expect(s.std).toBeCloseTo(Math.sqrt((4 + 1 + 1 + 4) / 4), 12);
  });

  it('sorts float32 columns exactly as a comparison sort does (negatives, zeros, ties)', () => {
    const rng = new Rng(7);
    const a = new Float32Array(50_000);
    for (let i = 0; i < a.length; i++)
      a[i] = i % 7 === 0 ? 0 : Math.round((rng.float() - 0.4) * 1e4) / 10 + (i % 11 === 0 ? 1e-30 : 0);
    const s = sortedSample(a);
    const expected = Float64Array.from(a).sort();
    expect(s.values.length).toBe(a.length);
    for (let i = 0; i < a.length; i++)
      if (s.values[i] !== expected[i]) throw new Error(`index ${i}: ${s.values[i]} ≠ ${expected[i]}`);
  });

  it('refuses negative, NaN or mismatched weights, naming the row', () => {
    expect(() => sortedSample([1, 2], [1, -1])).toThrow(/row 1/);
    expect(() => sortedSample([1, 2], [Number.NaN, 1])).toThrow(/row 0/);
    expect(() => sortedSample([1, 2], [1])).toThrow(/1 weights for 2 values/);
  });

  it('weighted: mean, std and Kish effective size', () => {
    const s = sortedSample([1, 2, 3], [1, 1, 2]);
    expect(s.mean).toBeCloseTo(9 / 4, 12);
    expect(s.std).toBeCloseTo(Math.sqrt((1.25 ** 2 + 0.25 ** 2 + 2 * 0.75 ** 2) / 4), 12);
    expect(s.n).toBeCloseTo(16 / 6, 12);
    expect(Array.from(s.cumulative!)).toEqual([0.25, 0.5, 1]);
  });
});

describe('hand-computed cases', () => {
  it('KS, Wasserstein and exact p-value of two disjoint pairs', () => {
    const ref = sortedSample([0, 1]);
    const cur = sortedSample([2, 3]);
    expect(ksStatistic(ref, cur)).toBe(1);
    // of the C(4, 2) = 6 orderings of the pooled sample only the two fully separated ones reach D = 1
    expect(ksPValue(1, 2, 2)).toBeCloseTo(2 / 6, 14);
    expect(wasserstein1(ref, cur)).toBeCloseTo(2, 14);
    const s = driftScores(ref, cur);
    expect(s.wasserstein).toBeCloseTo(2 / 0.5, 12);
    expect(s.jsd).toBeCloseTo(1, 12);
    expect(s.hellinger).toBeCloseTo(1, 12);
  });

  it('KS with ties counts equal values on both sides at once', () => {
    // F_ref: 1 → 2/3, 2 → 1; F_cur: 1 → 1/3, 2 → 2/3, 3 → 1. sup |diff| = 1/3
    expect(ksStatistic(sortedSample([1, 1, 2]), sortedSample([1, 2, 3]))).toBeCloseTo(1 / 3, 15);
    // W = ∫|F_ref − F_cur| = 1·(1/3) + 1·(1/3) = 2/3
    expect(wasserstein1(sortedSample([1, 1, 2]), sortedSample([1, 2, 3]))).toBeCloseTo(2 / 3, 15);
  });

  it('exact p-value for unequal sizes equals the lattice-path count', () => {
    // n = 1, m = 2, D = 1: of the 3 orderings of {x | y1 y2}, x first or x last reach D = 1
    expect(ksPValue(1, 1, 2)).toBeCloseTo(2 / 3, 14);
    // D = 1/2 is always reached or exceeded with n = 1, m = 2
    expect(ksPValue(0.5, 1, 2)).toBeCloseTo(1, 14);
  });

  it('PSI on 10 reference-quantile bins with the empty-bin epsilon', () => {
    const ref = sortedSample(Float64Array.from({ length: 100 }, (_, i) => i));
    expect(referenceQuantileEdges(ref)).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89]);
    const cur = sortedSample(Float64Array.from({ length: 40 }, (_, i) => i / 5)); // 0 … 7.8: all in the first bin
    const expected = (1 - 0.1) * Math.log(1 / 0.1) + 9 * (PSI_EPSILON - 0.1) * Math.log(PSI_EPSILON / 0.1);
    expect(driftScores(ref, cur).psi).toBeCloseTo(expected, 12);
    expect(driftScores(ref, ref).psi).toBe(0);
  });

  it('Jensen–Shannon and Hellinger of two known distributions', () => {
    const p = [0.5, 0.5, 0];
    const q = [0, 0.5, 0.5];
    // JS divergence = ½·KL(p‖m) + ½·KL(q‖m) with m = [¼, ½, ¼]: each KL = ½·ln 2 → ½ ln 2 nats = ½ bit
    expect(jensenShannonFromShares(p, q)).toBeCloseTo(Math.sqrt(0.5), 14);
  });

  it('an all-constant reference column gives finite scores (Wasserstein over the 1e-3 floor)', () => {
    const ref = sortedSample(new Float32Array(500).fill(518.67));
    const same = driftScores(ref, sortedSample(new Float32Array(300).fill(518.67)));
    expect(same).toEqual({ psi: 0, ks: 0, ksPValue: 1, wasserstein: 0, jsd: 0, hellinger: 0 });
    const moved = driftScores(ref, sortedSample(new Float32Array(300).fill(518.68)));
    for (const v of Object.values(moved)) expect(Number.isFinite(v)).toBe(true);
    expect(moved.ks).toBe(1);
    expect(moved.wasserstein).toBeCloseTo((Math.fround(518.68) - Math.fround(518.67)) / 1e-3, 3);
    expect(moved.psi).toBeGreaterThan(1);
  });

  it('an empty side gives no evidence rather than NaN', () => {
    const s = driftScores(sortedSample([Number.NaN, Number.NaN]), sortedSample([1, 2, 3]));
    expect(s).toEqual({ psi: 0, ks: 0, ksPValue: 1, wasserstein: 0, jsd: 0, hellinger: 0 });
  });

  it('the same sample against itself scores zero drift', () => {
    const a = sortedSample(normals(3, 2000));
    const s = driftScores(a, a);
    expect(s.ks).toBe(0);
    expect(s.ksPValue).toBe(1);
    expect(s.wasserstein).toBe(0);
    expect(s.psi).toBe(0);
    expect(s.jsd).toBe(0);
    expect(s.hellinger).toBe(0);
  });
});

describe('weighted reference', () => {
  it('integer weights give the same scores as repeating the rows', () => {
    const rng = new Rng(11);
    const x = normals(5, 3000, 0, 1, 2);
    const w = Float64Array.from(x, () => rng.int(4)); // 0 … 3, zero drops the row
    const repeated: number[] = [];
    x.forEach((v, i) => {
      for (let k = 0; k < w[i]!; k++) repeated.push(v);
    });
    const cur = sortedSample(normals(6, 2500, 0.3, 1.2, 2));
    const a = driftScores(sortedSample(x, w), cur);
    const rep = sortedSample(Float32Array.from(repeated));
    const b = driftScores(rep, cur);
    expect(a.ks).toBeCloseTo(b.ks, 12);
    expect(a.wasserstein).toBeCloseTo(b.wasserstein, 9);
    expect(a.psi).toBeCloseTo(b.psi, 12);
    expect(a.jsd).toBeCloseTo(b.jsd, 12);
    expect(a.hellinger).toBeCloseTo(b.hellinger, 12);
    const ws = sortedSample(x, w);
    expect(ws.mean).toBeCloseTo(rep.mean, 6);
    expect(ws.std).toBeCloseTo(rep.std, 6);
    expect(ws.count).toBe(Array.from(w).filter((v) => v > 0).length);
    for (const p of [0.1, 0.25, 0.5, 0.9, 1]) expect(quantile(ws, p)).toBe(quantile(rep, p));
    const ha = driftHistogram(ws, cur);
    const hb = driftHistogram(rep, cur);
    ha.reference.forEach((v, k) => expect(v).toBeCloseTo(hb.reference[k]!, 12));
  });

  it('re-weighting the reference towards the current distribution removes the drift it explains', () => {
    // reference: two groups (young and old units); the current data holds only old ones
    const young = normals(21, 4000, 0, 1);
    const old = normals(22, 4000, 2, 1);
    const ref = Float32Array.from([...young, ...old]);
    const cur = sortedSample(normals(23, 3000, 2, 1));
    const plain = driftScores(sortedSample(ref), cur);
    const weights = Float64Array.from(ref, (_, i) => (i < 4000 ? 0.02 : 1));
    const matched = driftScores(sortedSample(ref, weights), cur);
    expect(plain.wasserstein).toBeGreaterThan(0.4);
    expect(matched.wasserstein).toBeLessThan(0.1);
    expect(matched.ks).toBeLessThan(plain.ks / 4);
    // the p-value uses Kish's effective size of the weighted reference (≈ 4,300, not 8,000)
    const s = sortedSample(ref, weights);
    expect(s.n).toBeGreaterThan(4000);
    expect(s.n).toBeLessThan(4400);
    expect(matched.ksPValue).toBeCloseTo(ksPValue(matched.ks, s.n, cur.n), 15);
  });
});

describe('driftHistogram', () => {
  it('puts both sides on 30 shared equal-width bins whose shares sum to 1', () => {
    const ref = sortedSample(normals(1, 1000));
    const cur = sortedSample(normals(2, 700, 1));
    const h = driftHistogram(ref, cur);
    expect(h.edges).toHaveLength(31);
    expect(h.edges[0]).toBe(Math.min(ref.values[0]!, cur.values[0]!));
    expect(h.edges[30]).toBe(Math.max(ref.values[999]!, cur.values[699]!));
    expect(h.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(h.current.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // each share is the count of values in [edge k, edge k+1) (the last bin closed)
    for (let k = 0; k < 30; k++) {
      const lo = h.edges[k]!;
      const hi = h.edges[k + 1]!;
      const count = Array.from(cur.values).filter((v) => v >= lo && (k === 29 ? v <= hi : v < hi)).length;
      expect(h.current[k]).toBeCloseTo(count / 700, 12);
    }
  });

  it('a single value on both sides gets bins around it', () => {
    const h = driftHistogram(sortedSample([5, 5]), sortedSample([5]));
    expect(h.edges[0]).toBe(4.5);
    expect(h.edges[30]).toBe(5.5);
    expect(h.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('binShares', () => {
  it('right-closed bins, as the quantile edges define them', () => {
    const s = sortedSample([1, 2, 2, 3, 4]);
    const shares = binShares(s, [2, 3]);
    [0.6, 0.2, 0.2].forEach((v, k) => expect(shares[k]).toBeCloseTo(v, 15));
  });
});

// ---- parity with scipy.stats / scipy.spatial.distance on generated arrays ----

const SCIPY = `
import sys, json, math
import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon
cases = json.load(open(sys.argv[1]))
out = []
def edges_of(ref, w):
    # inverted-CDF quantiles at 0.1 … 0.9 of the (weighted) reference: the smallest value whose ECDF ≥ p
    order = np.argsort(ref, kind='stable')
    v = ref[order]
    cw = np.cumsum(w[order]) / np.sum(w)
    return [float(v[np.searchsorted(cw, k / 10 - 1e-12, side='left')]) for k in range(1, 10)]
def shares(x, w, edges):
    idx = np.searchsorted(np.array(edges), x, side='left')  # right-closed bins
    s = np.bincount(idx, weights=w, minlength=10)
    return s / s.sum()
for c in cases:
    ref = np.array(c['ref'], dtype=np.float64)
    cur = np.array(c['cur'], dtype=np.float64)
    w = None if c['w'] is None else np.array(c['w'], dtype=np.float64)
    r = {}
    if w is None:
        ks = stats.ks_2samp(ref, cur, alternative='two-sided', method='auto')
        r['ks'] = float(ks.statistic); r['p'] = float(ks.pvalue)
        wd = stats.wasserstein_distance(ref, cur)
        std = float(np.std(ref))
        ww = np.ones_like(ref)
    else:
        keep = w > 0
        ref = ref[keep]; ww = w[keep]
        allv = np.sort(np.concatenate([ref, cur]))
        order = np.argsort(ref, kind='stable')
        cw = np.concatenate([[0], np.cumsum(ww[order]) / ww.sum()])
        fr = cw[np.searchsorted(ref[order], allv, side='right')]
        fc = np.searchsorted(np.sort(cur), allv, side='right') / len(cur)
        d = float(np.max(np.abs(fr - fc)))
        kish = ww.sum() ** 2 / np.sum(ww ** 2)
        big, small = max(kish, len(cur)), min(kish, len(cur))
        r['ks'] = d
        r['p'] = float(np.clip(stats.kstwo.sf(d, max(1, np.round(big * small / (big + small)))), 0, 1))
        wd = stats.wasserstein_distance(ref, cur, u_weights=ww)
        mean = np.average(ref, weights=ww)
        std = float(math.sqrt(np.average((ref - mean) ** 2, weights=ww)))
    r['wasserstein'] = float(wd / max(std, 1e-3))
    e = edges_of(ref, ww)
    pr = shares(ref, ww, e); pc = shares(cur, np.ones_like(cur), e)
    r['jsd'] = float(jensenshannon(pr, pc, base=2))
    er = np.where(pr == 0, 1e-4, pr); ec = np.where(pc == 0, 1e-4, pc)
    r['psi'] = float(np.sum((ec - er) * np.log(ec / er)))
    r['hellinger'] = float(np.sqrt(np.sum((np.sqrt(pr) - np.sqrt(pc)) ** 2) / 2))
    out.append(r)
print(json.dumps(out))
`;

interface Case {
  label: string;
  ref: Float32Array;
  cur: Float32Array;
  w: Float64Array | null;
}
interface Expected {
  ks: number;
  p: number;
  wasserstein: number;
  jsd: number;
  psi: number;
  hellinger: number;
}

function cases(): Case[] {
  const rng = new Rng(99);
  const list: Case[] = [];
  const add = (label: string, ref: Float32Array, cur: Float32Array, w: Float64Array | null = null): void => {
    list.push({ label, ref, cur, w });
  };
  // exact p-values (both ≤ 10,000), equal and unequal sizes, from no drift to strong drift
  add('exact 40 vs 40, same', normals(1, 40), normals(2, 40));
  add('exact 300 vs 300, shifted', normals(3, 300), normals(4, 300, 0.3));
  add('exact 50 vs 80, shifted', normals(5, 50), normals(6, 80, 0.5));
  add('exact 1,000 vs 700, same', normals(7, 1000), normals(8, 700));
  add('exact 3,000 vs 2,000, small shift', normals(9, 3000), normals(10, 2000, 0.08));
  add('exact 9,000 vs 10,000, ties', normals(11, 9000, 0, 1, 1), normals(12, 10000, 0.05, 1, 1));
  add('exact 5,000 vs 4,000, scale', normals(13, 5000), normals(14, 4000, 0, 1.4));
  // asymptotic: kstwo.sf with n = round(n·m / (n + m)) in each of its branches
  add('asymp 12,000 vs 60, n ≤ 140', normals(15, 12000), normals(16, 60, 0.2));
  add('asymp 12,000 vs 100, n ≤ 140, large D', normals(17, 12000), normals(18, 100, 0.8));
  add('asymp 15,000 vs 800, same', normals(19, 15000), normals(20, 800));
  add('asymp 15,000 vs 3,000, small shift', normals(21, 15000), normals(22, 3000, 0.04));
  add('asymp 20,000 vs 20,000, moderate shift (Smirnov tail)', normals(23, 20000), normals(24, 20000, 0.05));
  add('asymp 20,000 vs 50,000, same (Pelz–Good)', normals(25, 20000), normals(26, 50000));
  add('asymp 20,000 vs 30,000, strong shift (p underflows)', normals(27, 20000, 0, 1, 2), normals(28, 30000, 1, 1, 2));
  add('asymp 11,000 vs 2,000, D ≥ 0.5', normals(29, 11000), normals(30, 2000, 2.5));
  // weighted references (non-integer weights; Kish's effective size)
  const wr = normals(31, 4000);
  add(
    'weighted 4,000 vs 2,000',
    wr,
    normals(32, 2000, 0.2),
    Float64Array.from(wr, () => 0.1 + rng.float() * 3),
  );
  const wr2 = normals(33, 6000, 0, 1, 1);
  add(
    'weighted with zero weights and ties',
    wr2,
    normals(34, 3000, 0, 1, 1),
    Float64Array.from(wr2, (_, i) => (i % 5 === 0 ? 0 : rng.float())),
  );
  return list;
}

describeWith(PYTHON_SCIPY)('parity with scipy.stats and scipy.spatial.distance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prognos-drift-stats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const list = cases();
  let expected: Expected[] | undefined;
  const reference = (): Expected[] => {
    if (expected !== undefined) return expected;
    const file = join(dir, 'cases.json');
    writeFileSync(
      file,
      JSON.stringify(
        list.map((c) => ({ ref: Array.from(c.ref), cur: Array.from(c.cur), w: c.w === null ? null : Array.from(c.w) })),
      ),
    );
    expected = runPythonJson<Expected[]>(SCIPY, { args: [file] });
    return expected;
  };

  list.forEach((c, i) => {
    it(c.label, () => {
      const e = reference()[i]!;
      const s = driftScores(sortedSample(c.ref, c.w ?? undefined), sortedSample(c.cur));
      expect(s.ks).toBeCloseTo(e.ks, 12);
      // p-values: absolute 1e-10 or relative 1e-7 (the tail values are tiny)
      const tol = Math.max(1e-10, 1e-7 * e.p);
      if (Math.abs(s.ksPValue - e.p) > tol) throw new Error(`p-value ${s.ksPValue} vs scipy ${e.p} (D = ${s.ks})`);
      expect(Math.abs(s.wasserstein - e.wasserstein)).toBeLessThan(1e-9 * Math.max(1, e.wasserstein));
      expect(s.jsd).toBeCloseTo(e.jsd, 10);
      expect(s.psi).toBeCloseTo(e.psi, 10);
      expect(s.hellinger).toBeCloseTo(e.hellinger, 10);
    });
  });
});

describeWith(PYTHON_SCIPY)('the one-sample KS distribution against scipy.stats.kstwo.sf', () => {
  // every branch of scipy's kolmogn: Ruben–Gambino ends, Durbin's matrix, Pomeranz's range (Durbin here), Pelz–Good, Smirnov's tail
  const ns = [1, 2, 3, 7, 20, 60, 140, 141, 400, 2000, 10_000, 60_000, 100_001, 400_000];
  const grid: [number, number][] = [];
  for (const n of ns)
    for (const z of [0.2, 0.45, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.6, 3.5, 5])
      grid.push([n, Math.min(0.999, z / Math.sqrt(n))]);
  for (const n of ns)
    for (const x of [0.5 / n + 1e-9, 0.8 / n, 1.5 / n, 0.3, 0.55, 0.9, 1 - 1 / n])
      if (x > 0 && x < 1) grid.push([n, x]);
  it(`${grid.length} points`, () => {
    const py = `
import sys, json
from scipy import stats
pts = json.loads(sys.argv[1])
print(json.dumps([float(stats.kstwo.sf(x, n)) for n, x in pts]))
`;
    const expected = runPythonJson<number[]>(py, { args: [JSON.stringify(grid)] });
    const bad: string[] = [];
    grid.forEach(([n, x], i) => {
      const got = kolmogorovSf(n, x);
      const e = expected[i]!;
      if (Math.abs(got - e) > Math.max(1e-10, 1e-7 * e)) bad.push(`n=${n} x=${x}: ${got} vs scipy ${e}`);
    });
    expect(bad).toEqual([]);
  });
});
