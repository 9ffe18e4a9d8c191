import { describe, expect, it } from 'vitest';
import { trainGbdt, type GbdtDataset, type GbdtParams } from '../../../src/main/core/models/gbdt';

/**
 * x = 1, 2, 3, 4 with labels 0, 0, 1, 1. The base score is the mean label 0.5, so the initial
 * margin is 0, p = 0.5, g = p − y = (½, ½, −½, −½) and h = p(1 − p) = ¼ for every row.
 * The best split is x < 3: G_L = 1, H_L = ½, G_R = −1, H_R = ½, G = 0, H = 1.
 */
const stump: GbdtDataset = {
  rows: 4,
  features: 1,
  columns: [Float32Array.from([1, 2, 3, 4])],
  label: Uint8Array.from([0, 0, 1, 1]),
};

const base: Partial<GbdtParams> = {
  nEstimators: 1,
  maxDepth: 1,
  eta: 0.3,
  minChildWeight: 0,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 1,
  colsampleBytree: 1,
  earlyStoppingRounds: 0,
  nThreads: 1,
};

async function train(p: Partial<GbdtParams>) {
  const model = await trainGbdt(stump, { ...base, ...p }, { featureNames: ['x'] });
  expect(model.trees).toHaveLength(1);
  return { model, tree: model.trees[0]! };
}

describe('GBDT stump, computed by hand', () => {
  it('splits at x < 3 with gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) and leaves −ηG/(H+λ)', async () => {
    const { model, tree } = await train({});
    expect(model.baseScore).toBe(0.5);
    expect(Array.from(tree.left)).toEqual([1, -1, -1]);
    expect(Array.from(tree.right)).toEqual([2, -1, -1]);
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(3);
    // gain = 1/1.5 + 1/1.5 − 0 = 4/3 (XGBoost's loss_chg carries no ½ factor)
    expect(tree.lossChange[0]).toBeCloseTo(4 / 3, 6);
    // leaf weights ∓1/1.5, times eta = 0.3
    expect(tree.threshold[1]).toBe(Math.fround(-0.2));
    expect(tree.threshold[2]).toBe(Math.fround(0.2));
    expect(Array.from(tree.sumHessian)).toEqual([1, 0.5, 0.5]);
    expect(tree.baseWeight[0]).toBe(0);
    expect(model.gainImportance().x).toBeCloseTo(4 / 3, 6);
  });

  it('sends x < threshold left and x = threshold right, as XGBoost does', async () => {
    const { model } = await train({});
    const sig = (m: number) => 1 / (1 + Math.exp(-m));
    expect(model.predictRow(Float32Array.of(2.9999998))).toBeCloseTo(sig(Math.fround(-0.2)), 12);
    expect(model.predictRow(Float32Array.of(3))).toBeCloseTo(sig(Math.fround(0.2)), 12);
    // no missing values in training: NaN follows default_left = 0 (right)
    expect(model.trees[0]!.defaultLeft[0]).toBe(0);
    expect(model.predictRow(Float32Array.of(Number.NaN))).toBeCloseTo(sig(Math.fround(0.2)), 12);
  });

  it('lambda = 0 gives gain 4 and leaves ∓2η', async () => {
    const { tree } = await train({ lambda: 0 });
    expect(tree.lossChange[0]).toBeCloseTo(4, 6);
    expect(tree.threshold[1]).toBe(Math.fround(-0.6));
    expect(tree.threshold[2]).toBe(Math.fround(0.6));
  });

  it('alpha soft-thresholds the gradient sums: T(1) = 0.5, gain 2·0.25/1.5, leaves ∓0.5η/1.5', async () => {
    const { tree } = await train({ alpha: 0.5 });
    expect(tree.threshold[0]).toBe(3);
    expect(tree.lossChange[0]).toBeCloseTo(1 / 3, 6);
    expect(tree.threshold[1]).toBe(Math.fround((-0.5 / 1.5) * 0.3));
    expect(tree.threshold[2]).toBe(Math.fround((0.5 / 1.5) * 0.3));
  });

  it('gamma removes splits whose loss reduction is below it', async () => {
    const kept = await train({ gamma: 1 });
    expect(kept.tree.left[0]).toBe(1);
    const pruned = await train({ gamma: 2 });
    expect(Array.from(pruned.tree.left)).toEqual([-1]);
    expect(pruned.tree.threshold[0]).toBe(0); // G = 0 → weight 0
  });

  it('min_child_weight blocks a split whose children have too little hessian', async () => {
    const ok = await train({ minChildWeight: 0.5 });
    expect(ok.tree.left[0]).toBe(1);
    const blocked = await train({ minChildWeight: 0.6 });
    expect(Array.from(blocked.tree.left)).toEqual([-1]);
  });

  it('scale_pos_weight multiplies positive gradients and hessians', async () => {
    // w = 3 on positives: G_L = 1, H_L = 0.5, G_R = −3, H_R = 1.5 → gain 1/1.5 + 9/2.5 − 4/3
    const { tree } = await train({ scalePosWeight: 3 });
    expect(tree.threshold[0]).toBe(3);
    expect(tree.lossChange[0]).toBeCloseTo(1 / 1.5 + 9 / 2.5 - 4 / 3, 5);
    expect(tree.threshold[2]).toBe(Math.fround((3 / 2.5) * 0.3));
  });
});
