import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/main/core/data/prng';
import { fitPca, reconstructionError, symmetricEigen } from '../../../src/main/core/drift/pca';
import { runPythonJson } from '../../helpers/python';
import { describeWith, PYTHON_NUMPY } from '../../helpers/tools';

/** rows × p columns driven by `latent` hidden factors plus a little noise (columns on different scales). */
function fixture(seed: number, rows: number, p: number, latent: number, noise = 0.05): Float32Array[] {
  const rng = new Rng(seed);
  const load = Array.from({ length: latent }, () => Array.from({ length: p }, () => rng.normal()));
  const cols = Array.from({ length: p }, () => new Float32Array(rows));
  for (let r = 0; r < rows; r++) {
    const f = Array.from({ length: latent }, (_, l) => rng.normal() * (latent - l));
    for (let j = 0; j < p; j++) {
      let v = 0;
      for (let l = 0; l < latent; l++) v += f[l]! * load[l]![j]!;
      cols[j]![r] = (j + 1) * 10 * (v + noise * rng.normal()) + 100 * j;
    }
  }
  return cols;
}

describe('symmetricEigen', () => {
  it('diagonalises a known matrix', () => {
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
    const i3 = values[0]! > values[1]! ? 0 : 1;
    expect(Math.abs(vectors[0 * 2 + i3]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(Math.abs(vectors[1 * 2 + i3]!)).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe('fitPca / reconstructionError', () => {
  it('keeps the fewest components explaining more than 65 % and is JSON-able and deterministic', () => {
    const cols = fixture(1, 800, 8, 3);
    const m = fitPca(cols);
    expect(m.k).toBeGreaterThanOrEqual(1);
    expect(m.explained).toBeGreaterThan(0.65);
    expect(m.explained - m.explainedRatios[m.k - 1]!).toBeLessThanOrEqual(0.65);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    expect(fitPca(cols)).toEqual(m);
    for (const c of m.components) {
      expect(Math.hypot(...c)).toBeCloseTo(1, 10);
      const big = c.reduce((b, v, j) => (Math.abs(v) > Math.abs(c[b]!) ? j : b), 0);
      expect(c[big]!).toBeGreaterThan(0);
    }
  });

  it('rows lying in the kept subspace reconstruct with error ≈ 0; rows off it do not', () => {
    const cols = fixture(2, 600, 6, 2, 0.02);
    const m = fitPca(cols, undefined, { varianceKept: 0.9 });
    const p = cols.length;
    const rng = new Rng(5);
    const rows = 50;
    const inside = Array.from({ length: p }, () => new Float32Array(rows));
    const outside = Array.from({ length: p }, () => new Float32Array(rows));
    for (let r = 0; r < rows; r++) {
      const t = m.components.map(() => rng.normal() * 2);
      for (let j = 0; j < p; j++) {
        let z = 0;
        m.components.forEach((c, l) => (z += t[l]! * c[j]!));
        inside[j]![r] = m.mean[j]! + m.scale[j]! * z;
        // the same row with one column moved by 3 reference standard deviations
        outside[j]![r] = m.mean[j]! + m.scale[j]! * (z + (j === 2 ? 3 : 0));
      }
    }
    const eIn = reconstructionError(m, inside);
    const eOut = reconstructionError(m, outside);
    for (const e of eIn) expect(e).toBeLessThan(1e-3); // float32 storage of the rows
    for (const e of eOut) expect(e).toBeGreaterThan(1);
  });

  it('the reference itself reconstructs better than data whose correlation broke', () => {
    const ref = fixture(3, 1000, 8, 2, 0.05);
    const m = fitPca(ref, undefined, { varianceKept: 0.95 });
    expect(m.k).toBe(2);
    const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    const base = mean(reconstructionError(m, ref));
    // same marginals, shuffled rows in one column: the relationship is gone
    const broken = ref.map((c) => c.slice());
    const rng = new Rng(9);
    const c0 = broken[0]!;
    for (let i = c0.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [c0[i], c0[j]] = [c0[j]!, c0[i]!];
    }
    expect(mean(reconstructionError(m, broken))).toBeGreaterThan(base * 5);
  });

  it('uses the chosen rows, imputes missing values with the mean and handles a constant column', () => {
    const cols = fixture(4, 300, 4, 2);
    cols.push(new Float32Array(300).fill(7));
    const rows = Int32Array.from({ length: 150 }, (_, i) => i * 2);
    const m = fitPca(cols, rows);
    const sub = cols.map((c) => Float32Array.from(rows, (r) => c[r]!));
    expect(m).toEqual(fitPca(sub));
    expect(m.scale[4]).toBe(1);
    const withNaN = cols.map((c) => c.slice());
    withNaN[1]![0] = Number.NaN;
    const e = reconstructionError(m, withNaN, Int32Array.from([0]));
    expect(Number.isFinite(e[0])).toBe(true);
    expect(() => fitPca([])).toThrow(/no columns/);
    expect(() => reconstructionError(m, cols.slice(0, 2))).toThrow(/2 columns for a model of 5/);
  });
});

describeWith(PYTHON_NUMPY)('PCA against numpy SVD', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prognos-drift-pca-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('same components, explained shares and reconstruction errors as SVD of the standardised data', () => {
    const cols = fixture(6, 700, 7, 3, 0.1);
    const current = fixture(7, 200, 7, 3, 0.3);
    const file = join(dir, 'pca.json');
    writeFileSync(
      file,
      JSON.stringify({ ref: cols.map((c) => Array.from(c)), cur: current.map((c) => Array.from(c)) }),
    );
    const py = `
import sys, json
import numpy as np
d = json.load(open(sys.argv[1]))
X = np.array(d['ref'], dtype=np.float64).T
C = np.array(d['cur'], dtype=np.float64).T
mean = X.mean(axis=0); sd = X.std(axis=0); sd[sd == 0] = 1
Z = (X - mean) / sd
U, S, Vt = np.linalg.svd(Z, full_matrices=False)
ratio = S ** 2 / np.sum(S ** 2)
k = int(np.searchsorted(np.cumsum(ratio), 0.65, side='right') + 1)
V = Vt[:k].copy()
for i in range(k):
    j = int(np.argmax(np.abs(V[i])))
    if V[i, j] < 0: V[i] *= -1
Zc = (C - mean) / sd
err = np.linalg.norm(Zc - (Zc @ V.T) @ V, axis=1)
print(json.dumps({'k': k, 'components': V.tolist(), 'ratios': ratio[:k].tolist(), 'err': err.tolist(), 'mean': mean.tolist(), 'scale': sd.tolist()}))
`;
    const e = runPythonJson<{
      k: number;
      components: number[][];
      ratios: number[];
      err: number[];
      mean: number[];
      scale: number[];
    }>(py, { args: [file] });
    const m = fitPca(cols);
    expect(m.k).toBe(e.k);
    m.mean.forEach((v, j) => expect(v).toBeCloseTo(e.mean[j]!, 8));
    m.scale.forEach((v, j) => expect(v).toBeCloseTo(e.scale[j]!, 8));
    m.explainedRatios.forEach((v, i) => expect(v).toBeCloseTo(e.ratios[i]!, 10));
    m.components.forEach((c, i) => c.forEach((v, j) => expect(v).toBeCloseTo(e.components[i]![j]!, 8)));
    const err = reconstructionError(m, current);
    err.forEach((v, r) => expect(v).toBeCloseTo(e.err[r]!, 8));
  });
});
