/**
 * TreeSHAP on hand-built trees (values known by hand, and exact Shapley values by enumerating every
 * coalition with the path-dependent conditional expectation), additivity on trained models of the
 * synthetic fleet, and the edge cases: single-leaf and constant trees, NaN inputs, features never
 * split on, zero covers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GbdtModel, type GbdtTree } from '../../../src/main/core/models/gbdt';
import { SeededRng } from '../../../src/main/core/models/gbdt/rng';
import { treeShap, treeShapRows } from '../../../src/main/core/models/gbdt/shap';
import { PrognosError } from '../../../src/shared/errors';
import { syntheticGbdts, type SyntheticGbdts } from '../../helpers/synthetic-gbdt';

interface NodeSpec {
  /** split: feature, threshold, children; leaf: value */
  f?: number;
  t?: number;
  l?: NodeSpec;
  r?: NodeSpec;
  defaultLeft?: boolean;
  value?: number;
  cover: number;
}

/** A tree in XGBoost's array layout from a nested description (breadth-first numbering). */
function tree(root: NodeSpec): GbdtTree {
  const nodes: NodeSpec[] = [root];
  const parent: number[] = [-1];
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.l !== undefined && n.r !== undefined) {
      left[i] = nodes.length;
      nodes.push(n.l);
      parent.push(i);
      right[i] = nodes.length;
      nodes.push(n.r);
      parent.push(i);
    } else {
      left[i] = -1;
      right[i] = -1;
    }
  }
  return {
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    parent: Int32Array.from(parent),
    feature: Int32Array.from(nodes, (n) => n.f ?? 0),
    threshold: Float32Array.from(nodes, (n) => (n.l === undefined ? n.value! : n.t!)),
    defaultLeft: Uint8Array.from(nodes, (n) => (n.defaultLeft === true ? 1 : 0)),
    baseWeight: new Float32Array(nodes.length),
    lossChange: new Float32Array(nodes.length),
    sumHessian: Float32Array.from(nodes, (n) => n.cover),
  };
}

function model(trees: GbdtTree[], nFeatures: number, objective: 'binary:logistic' | 'reg:squarederror' = 'reg:squarederror', baseScore = 0): GbdtModel {
  return new GbdtModel({
    trees,
    featureNames: Array.from({ length: nFeatures }, (_, i) => `x${i}`),
    baseScore,
    bestIteration: trees.length - 1,
    objective,
  });
}

function margin(m: GbdtModel, row: readonly number[]): number {
  return m.predictMargin(row.map((v) => Float32Array.of(v)), 1)[0]!;
}

/** E[f(x) | x_S] as path-dependent TreeSHAP defines it: follow x on features in S, else the cover-weighted mean. */
function condExpectation(t: GbdtTree, x: readonly number[], inS: (f: number) => boolean, n = 0): number {
  if (t.left[n] === -1) return t.threshold[n]!;
  const f = t.feature[n]!;
  const l = t.left[n]!;
  const r = t.right[n]!;
  if (inS(f)) {
    const v = Math.fround(x[f]!);
    const thr = t.threshold[n]!;
    const next = v < thr ? l : v >= thr ? r : t.defaultLeft[n] === 1 ? l : r;
    return condExpectation(t, x, inS, next);
  }
  // a node without cover (no training row reached it) has no expectation of its own: weight 0
  if (t.sumHessian[n] === 0) return 0;
  return (
    (condExpectation(t, x, inS, l) * t.sumHessian[l]! + condExpectation(t, x, inS, r) * t.sumHessian[r]!) / t.sumHessian[n]!
  );
}

/** Shapley values by enumerating all 2^M coalitions (M ≤ 10). */
function bruteForceShap(m: GbdtModel, x: readonly number[]): { bias: number; phi: number[] } {
  const M = m.nFeatures;
  const fact = [1];
  for (let i = 1; i <= M; i++) fact.push(fact[i - 1]! * i);
  const value = (mask: number): number =>
    m.trees.reduce((s, t) => s + condExpectation(t, x, (f) => ((mask >> f) & 1) === 1), m.baseMargin);
  const v = Array.from({ length: 1 << M }, (_, mask) => value(mask));
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (((mask >> i) & 1) === 1) continue;
      let s = 0;
      for (let k = mask; k > 0; k >>= 1) s += k & 1;
      const w = (fact[s]! * fact[M - s - 1]!) / fact[M]!;
      phi[i] = phi[i]! + w * (v[mask | (1 << i)]! - v[mask]!);
    }
  }
  return { bias: v[0]!, phi };
}

/** A random tree of depth ≤ `depth` over `nFeatures` features (features repeat along paths), covers summing up. */
function randomTree(rng: SeededRng, depth: number, nFeatures: number): GbdtTree {
  const grow = (d: number): NodeSpec => {
    if (d === depth || (d > 0 && rng.next() < 0.2)) {
      return { value: Math.round((rng.next() * 4 - 2) * 1000) / 1000, cover: 1 + Math.floor(rng.next() * 50) };
    }
    const l = grow(d + 1);
    const r = grow(d + 1);
    return { f: rng.nextInt(nFeatures), t: Math.round(rng.next() * 10) / 10, l, r, defaultLeft: rng.next() < 0.5, cover: l.cover + r.cover };
  };
  return tree(grow(0));
}

describe('treeShap on hand-built trees', () => {
  it('a stump: contribution = leaf − expected value, bias = base margin + cover-weighted mean', () => {
    // x0 < 0.5 → 2 (cover 30), else −1 (cover 10): expected value (2·30 − 1·10)/40 = 1.25
    const m = model([tree({ f: 0, t: 0.5, l: { value: 2, cover: 30 }, r: { value: -1, cover: 10 }, cover: 40 })], 3, 'reg:squarederror', 10);
    const left = treeShap(m, [0.2, 7, 7]);
    expect(left.bias).toBeCloseTo(10 + 1.25, 12);
    expect(Array.from(left.contributions)).toEqual([0.75, 0, 0]);
    const right = treeShap(m, [0.9, 7, 7]);
    expect(right.contributions[0]).toBeCloseTo(-1 - 1.25, 12);
    // x = threshold goes right (x < threshold is the left rule)
    expect(treeShap(m, [0.5, 0, 0]).contributions[0]).toBeCloseTo(-2.25, 12);
  });

  it('NaN goes to the default side; features never split on get exactly 0', () => {
    const t = tree({ f: 1, t: 0, l: { value: 4, cover: 1 }, r: { value: 0, cover: 3 }, defaultLeft: true, cover: 4 });
    const m = model([t], 4);
    const r = treeShap(m, [Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    // expected value 1; NaN → left (4): +3 for x1
    expect(r.bias).toBe(1);
    expect(Array.from(r.contributions)).toEqual([0, 3, 0, 0]);
    expect(r.bias + r.contributions[1]!).toBe(margin(m, [Number.NaN, Number.NaN, Number.NaN, Number.NaN]));
  });

  it('two features with an interaction: the textbook split of credit (x0 AND x1)', () => {
    // f = 1 when x0 ≥ 0.5 and x1 ≥ 0.5, covers equal: E = 0.25; at x = (1, 1) each feature gets 0.375
    const m = model(
      [
        tree({
          f: 0,
          t: 0.5,
          cover: 4,
          l: { value: 0, cover: 2 },
          r: { f: 1, t: 0.5, cover: 2, l: { value: 0, cover: 1 }, r: { value: 1, cover: 1 } },
        }),
      ],
      2,
    );
    const r = treeShap(m, [1, 1]);
    expect(r.bias).toBe(0.25);
    expect(r.contributions[0]).toBeCloseTo(0.375, 12);
    expect(r.contributions[1]).toBeCloseTo(0.375, 12);
  });

  it('single-leaf and constant trees add to the bias only', () => {
    const single = tree({ value: 0.7, cover: 5 });
    const constant = tree({ f: 2, t: 1, cover: 6, l: { value: -0.3, cover: 2 }, r: { f: 0, t: 0, cover: 4, l: { value: -0.3, cover: 1 }, r: { value: -0.3, cover: 3 } } });
    const m = model([single, constant], 3, 'binary:logistic', 0.5);
    const r = treeShap(m, [5, 5, 5]);
    expect(r.bias).toBeCloseTo(m.baseMargin + 0.7 - 0.3, 6);
    for (const c of r.contributions) expect(Math.abs(c)).toBeLessThan(1e-12);
  });

  it('matches exact Shapley values (all coalitions) on random trees with repeated features and NaN', () => {
    const rng = new SeededRng(42);
    let checked = 0;
    for (let trial = 0; trial < 25; trial++) {
      const F = 3 + (trial % 4);
      const trees = Array.from({ length: 1 + (trial % 3) }, () => randomTree(rng, 3 + (trial % 3), F));
      const m = model(trees, F, trial % 2 === 0 ? 'reg:squarederror' : 'binary:logistic', trial % 2 === 0 ? 3 : 0.3);
      for (let k = 0; k < 6; k++) {
        const x = Array.from({ length: F }, () => (rng.next() < 0.15 ? Number.NaN : Math.round(rng.next() * 10) / 10));
        const want = bruteForceShap(m, x);
        const got = treeShap(m, x);
        expect(got.bias).toBeCloseTo(want.bias, 9);
        for (let f = 0; f < F; f++) expect(got.contributions[f], `trial ${trial} row ${k} feature ${f}`).toBeCloseTo(want.phi[f]!, 9);
        checked++;
      }
    }
    expect(checked).toBe(150);
  });

  it('a branch with zero cover carries no weight (no NaN), a tree without root cover is refused', () => {
    const zeroBranch = tree({
      f: 0,
      t: 0,
      cover: 5,
      l: { f: 1, t: 0, cover: 0, l: { f: 0, t: -1, cover: 0, l: { value: 9, cover: 0 }, r: { value: 8, cover: 0 } }, r: { value: 7, cover: 0 } },
      r: { value: 1, cover: 5 },
    });
    const m = model([zeroBranch], 2);
    const r = treeShap(m, [-5, -5]);
    expect(r.bias).toBe(1);
    expect(r.contributions.every((c) => Number.isFinite(c))).toBe(true);
    expect(r.bias + r.contributions[0]! + r.contributions[1]!).toBeCloseTo(margin(m, [-5, -5]), 9);
    const want = bruteForceShap(m, [-5, -5]);
    expect(r.contributions[0]).toBeCloseTo(want.phi[0]!, 12);
    expect(r.contributions[1]).toBeCloseTo(want.phi[1]!, 12);
    const bad = model([tree({ f: 0, t: 0, cover: 0, l: { value: 1, cover: 0 }, r: { value: 2, cover: 0 } })], 1);
    expect(() => treeShap(bad, [1])).toThrow(PrognosError);
    expect(() => treeShap(bad, [1])).toThrow(/GBDT tree 0 node 0 has cover \(sum_hessian\) 0/);
  });

  it('refuses rows that are too short and row indices outside the columns', () => {
    const m = model([tree({ value: 1, cover: 1 })], 3);
    expect(() => treeShap(m, [1, 2])).toThrow(/Expected 3 features, got 2/);
    const cols = [Float32Array.of(1), Float32Array.of(1), Float32Array.of(1)];
    expect(() => treeShapRows(m, cols, [1])).toThrow(/Row 1 is beyond feature column 0/);
    expect(() => treeShapRows(m, cols.slice(0, 2), [0])).toThrow(/Expected 3 feature columns, got 2/);
  });
});

describe('treeShap on GBDTs trained on the synthetic fleet', () => {
  let fx: SyntheticGbdts;
  beforeAll(async () => {
    fx = await syntheticGbdts({ units: 12, params: { nEstimators: 30 } });
  });

  /** The margin in float64 (tree outputs summed exactly): what bias + Σ contributions must equal. */
  function margin64(m: GbdtModel, r: number): { m: number; absSum: number } {
    let s = m.baseMargin;
    let absSum = Math.abs(m.baseMargin);
    for (const t of m.trees) {
      let n = 0;
      while (t.left[n] !== -1) {
        const x = fx.columns[t.feature[n]!]![r]!;
        const thr = t.threshold[n]!;
        n = x < thr ? t.left[n]! : x >= thr ? t.right[n]! : t.defaultLeft[n] === 1 ? t.left[n]! : t.right[n]!;
      }
      s += t.threshold[n]!;
      absSum += Math.abs(t.threshold[n]!);
    }
    return { m: s, absSum };
  }

  for (const which of ['classifier', 'regressor'] as const) {
    it(`${which}: bias + Σ contributions = the margin (float64 exactly, predictMargin within float32 rounding)`, () => {
      const m = fx[which];
      const rows = Int32Array.from({ length: 200 }, (_, i) => Math.floor((i * fx.rows) / 200));
      const { bias, contributions } = treeShapRows(m, fx.columns, rows);
      const pm = m.predictMargin(
        fx.columns.map((c) => Float32Array.from(rows, (r) => c[r]!)),
        rows.length,
      );
      let maxErr32 = 0;
      let maxRel32 = 0;
      let maxErr64 = 0;
      let unused = 0;
      const usedFeatures = new Set(m.trees.flatMap((t) => Array.from(t.feature).filter((_, i) => t.left[i] !== -1)));
      rows.forEach((r, k) => {
        const phi = contributions[k]!;
        const sum = phi.reduce((s, c) => s + c, bias);
        const ref = margin64(m, r);
        // float64 on both sides: only rounding of T·D² operations on values of size ≤ Σ|leaf|
        const err64 = Math.abs(sum - ref.m);
        expect(err64).toBeLessThanOrEqual(1e-12 * ref.absSum * m.trees.length);
        // predictMargin rounds each of the T additions to float32 (≤ ½ ulp ≤ 2^-24·|partial sum|, and every
        // partial sum is at most Σ|base margin, leaves|): the bound T·2^-24·Σ|…|
        const err32 = Math.abs(sum - pm[k]!);
        expect(err32).toBeLessThanOrEqual(m.trees.length * 2 ** -24 * ref.absSum + 1e-12);
        maxErr32 = Math.max(maxErr32, err32);
        maxRel32 = Math.max(maxRel32, err32 / Math.max(1, Math.abs(pm[k]!)));
        maxErr64 = Math.max(maxErr64, err64);
        for (let f = 0; f < m.nFeatures; f++) {
          if (!usedFeatures.has(f)) {
            expect(phi[f]).toBe(0);
            unused++;
          }
        }
      });
      console.log(
        `additivity ${which}: ${rows.length} rows, ${m.trees.length} trees: max |bias + Σφ − margin| ${maxErr64.toExponential(2)} (float64 margin), ${maxErr32.toExponential(2)} (predictMargin, float32; ${maxRel32.toExponential(2)} relative to max(1, |margin|))`,
      );
      // in practice far inside the bound: 1e-5 of the margin (log-odds of a few units; RUL of up to 125 cycles)
      expect(maxRel32).toBeLessThanOrEqual(1e-5);
      expect(unused).toBeGreaterThan(0);
    });
  }
});
