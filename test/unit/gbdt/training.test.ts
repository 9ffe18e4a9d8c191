import { describe, expect, it } from 'vitest';
import { makeSyntheticMatrix } from '../../../bench/gbdt/matrix';
import { PrognosError } from '../../../src/shared/errors';
import {
  GbdtModel,
  PARALLEL_MIN_CELLS,
  trainGbdt,
  type GbdtDataset,
  type GbdtParams,
} from '../../../src/main/core/models/gbdt';

// 4000 × 12 with colsample 0.8 → 9 sampled features: 36 000 cells, enough for helper threads.
const data = makeSyntheticMatrix({ rows: 4000, features: 12, seed: 11 });
const small: Partial<GbdtParams> = { nEstimators: 25, maxDepth: 6, earlyStoppingRounds: 0 };

function shuffledLabels(d: GbdtDataset, seed: number): GbdtDataset {
  const label = Uint8Array.from(d.label);
  let s = seed >>> 0;
  for (let i = label.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = label[i]!;
    label[i] = label[j]!;
    label[j] = t;
  }
  return { ...d, label };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrognosError);
  expect((e as PrognosError).code).toBe(code);
}

describe('trainGbdt determinism', () => {
  it('gives byte-identical XGBoost JSON for the same seed', async () => {
    const a = await trainGbdt(data, { ...small, nThreads: 1, seed: 5 });
    const b = await trainGbdt(data, { ...small, nThreads: 1, seed: 5 });
    expect(a.toXGBoostJsonString()).toBe(b.toXGBoostJsonString());
    const c = await trainGbdt(data, { ...small, nThreads: 1, seed: 6 });
    expect(c.toXGBoostJsonString()).not.toBe(a.toXGBoostJsonString());
  });

  it('gives byte-identical XGBoost JSON whatever the thread count', async () => {
    expect(data.rows * Math.floor(0.8 * data.features)).toBeGreaterThanOrEqual(PARALLEL_MIN_CELLS);
    const texts: string[] = [];
    for (const nThreads of [1, 2, 3, 4]) {
      let used = 0;
      const m = await trainGbdt(data, { ...small, nThreads, seed: 3 }, { onStart: (i) => (used = i.threads) });
      expect(used).toBe(nThreads);
      texts.push(m.toXGBoostJsonString());
    }
    for (const t of texts) expect(t).toBe(texts[0]);
  });
});

describe('trainGbdt behaviour', () => {
  it('learns the synthetic signal (train logloss falls, probabilities in (0, 1))', async () => {
    const losses: number[] = [];
    const m = await trainGbdt(data, { ...small, nThreads: 2 }, { onIteration: (e) => losses.push(e.trainLogloss) });
    expect(losses).toHaveLength(25);
    expect(losses[24]!).toBeLessThan(losses[0]! * 0.7);
    const p = m.predictProba(data.columns, data.rows);
    let correct = 0;
    for (let r = 0; r < data.rows; r++) {
      expect(p[r]!).toBeGreaterThan(0);
      expect(p[r]!).toBeLessThan(1);
      if (p[r]! > 0.5 === (data.label[r] === 1)) correct++;
    }
    expect(correct / data.rows).toBeGreaterThan(0.85);
  });

  it('early stopping on validation logloss keeps the best iteration', async () => {
    const valid = shuffledLabels(makeSyntheticMatrix({ rows: 1500, features: 12, seed: 12 }), 99);
    const events: { iteration: number; validLogloss?: number }[] = [];
    const m = await trainGbdt(
      data,
      { nEstimators: 200, maxDepth: 6, eta: 0.3, earlyStoppingRounds: 5, nThreads: 2 },
      { valid, onIteration: (e) => events.push(e) },
    );
    const losses = events.map((e) => e.validLogloss!);
    const best = losses.indexOf(Math.min(...losses));
    expect(events.length).toBeLessThan(200);
    expect(events.length).toBe(best + 5 + 1);
    expect(m.bestIteration).toBe(best);
    expect(m.trees).toHaveLength(best + 1);
    // the kept model reproduces the best validation logloss
    const p = m.predictProba(valid.columns, valid.rows);
    let ll = 0;
    for (let r = 0; r < valid.rows; r++) ll -= valid.label[r] === 1 ? Math.log(p[r]!) : Math.log(1 - p[r]!);
    expect(ll / valid.rows).toBeCloseTo(losses[best]!, 5);
  });

  it('runs every round when early stopping is off', async () => {
    const valid = shuffledLabels(makeSyntheticMatrix({ rows: 500, features: 12, seed: 13 }), 7);
    const m = await trainGbdt(data, { nEstimators: 30, maxDepth: 4, earlyStoppingRounds: 0, nThreads: 1 }, { valid });
    expect(m.trees).toHaveLength(30);
    expect(m.bestIteration).toBe(29);
  });

  it('cancels through the AbortSignal with CANCELLED', async () => {
    const ac = new AbortController();
    let seen = 0;
    await expectCode(
      trainGbdt(
        data,
        { ...small, nEstimators: 100, nThreads: 2 },
        {
          signal: ac.signal,
          onIteration: (e) => {
            seen = e.iteration;
            if (e.iteration === 2) ac.abort();
          },
        },
      ),
      'CANCELLED',
    );
    expect(seen).toBe(2);
    const pre = new AbortController();
    pre.abort();
    await expectCode(trainGbdt(data, small, { signal: pre.signal }), 'CANCELLED');
  });

  it('keeps the event loop responsive while training', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await trainGbdt(data, { ...small, nEstimators: 40, nThreads: 2 });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(5);
  });

  it('routes NaN consistently through default_left in training, predictMargin and predictRow', async () => {
    const withNaN = makeSyntheticMatrix({ rows: 3000, features: 8, seed: 21, missing: 0.1 });
    const m = await trainGbdt(withNaN, { ...small, nThreads: 1 });
    const usesDefaultLeft = m.trees.some((t) => t.defaultLeft.some((d, i) => d === 1 && t.left[i] !== -1));
    expect(usesDefaultLeft).toBe(true);
    const margins = m.predictMargin(withNaN.columns, withNaN.rows);
    const row = new Float32Array(withNaN.features);
    for (let r = 0; r < 200; r++) {
      for (let f = 0; f < withNaN.features; f++) row[f] = withNaN.columns[f]![r]!;
      expect(m.predictRow(row)).toBe(1 / (1 + Math.exp(-margins[r]!)));
    }
  });

  it('rejects invalid parameters and shapes with INVALID_INPUT', async () => {
    await expectCode(trainGbdt(data, { eta: 0 }), 'INVALID_INPUT');
    await expectCode(trainGbdt(data, { subsample: 1.5 }), 'INVALID_INPUT');
    await expectCode(trainGbdt(data, { maxBin: 1 }), 'INVALID_INPUT');
    await expectCode(trainGbdt({ ...data, label: new Uint8Array(3) }, small), 'INVALID_INPUT');
    await expectCode(trainGbdt(data, small, { featureNames: ['a'] }), 'INVALID_INPUT');
    await expectCode(
      trainGbdt(data, small, { valid: { ...data, features: 3, columns: data.columns.slice(0, 3) } }),
      'INVALID_INPUT',
    );
  });

  it('handles one-class labels and constant features', async () => {
    const d: GbdtDataset = {
      rows: 50,
      features: 2,
      columns: [new Float32Array(50).fill(1), Float32Array.from({ length: 50 }, (_, i) => i)],
      label: new Uint8Array(50),
    };
    const m = await trainGbdt(d, { ...small, nThreads: 1 });
    expect(m.baseScore).toBeGreaterThan(0);
    const p = m.predictProba(d.columns, d.rows);
    for (const v of p) expect(v).toBeLessThan(1e-4);
  });
});

describe('XGBoost JSON round trip', () => {
  it('fromXGBoostJson(toXGBoostJson()) predicts identically and re-exports the same text', async () => {
    const withNaN = makeSyntheticMatrix({ rows: 3000, features: 8, seed: 31, missing: 0.05 });
    const m = await trainGbdt(
      withNaN,
      { ...small, nThreads: 2, scalePosWeight: 2 },
      { featureNames: withNaN.columns.map((_, i) => `s${i + 1}`) },
    );
    const text = m.toXGBoostJsonString();
    for (const back of [
      GbdtModel.fromXGBoostJson(m.toXGBoostJson()),
      GbdtModel.fromXGBoostJson(text),
      GbdtModel.fromXGBoostJson(JSON.parse(text)),
    ]) {
      expect(back.toXGBoostJsonString()).toBe(text);
      expect(back.featureNames).toEqual(m.featureNames);
      expect(back.baseScore).toBe(m.baseScore);
      expect(back.bestIteration).toBe(m.bestIteration);
      expect(back.scalePosWeight).toBe(2);
      expect(back.predictMargin(withNaN.columns, withNaN.rows)).toEqual(m.predictMargin(withNaN.columns, withNaN.rows));
      expect(back.gainImportance()).toEqual(m.gainImportance());
    }
  });

  it('writes the layout XGBoost 1.7 reads (floats with a decimal point, string parameters)', async () => {
    const m = await trainGbdt(data, { ...small, nEstimators: 2, nThreads: 1 });
    const text = m.toXGBoostJsonString();
    const json = JSON.parse(text) as {
      version: number[];
      learner: {
        learner_model_param: Record<string, string>;
        objective: { name: string };
        gradient_booster: { name: string; model: { trees: Record<string, unknown>[] } };
      };
    };
    expect(json.version).toEqual([1, 7, 4]);
    expect(json.learner.objective.name).toBe('binary:logistic');
    expect(json.learner.gradient_booster.name).toBe('gbtree');
    expect(Math.fround(Number(json.learner.learner_model_param.base_score))).toBe(m.baseScore);
    const tree = json.learner.gradient_booster.model.trees[0]!;
    for (const k of [
      'left_children',
      'right_children',
      'split_indices',
      'split_conditions',
      'default_left',
      'base_weights',
      'loss_changes',
      'sum_hessian',
      'parents',
    ]) {
      expect(tree[k]).toBeInstanceOf(Array);
    }
    // every number in the float arrays carries a decimal point or an exponent
    expect(text).not.toMatch(/"loss_changes":\[[^\]]*(\[|,)0(,|\])/);
    expect(text).toMatch(/"loss_changes":\[[^\]]*0\.0/);
  });

  it('refuses models it cannot represent with BAD_FILE', () => {
    const bad = (j: unknown) => {
      try {
        GbdtModel.fromXGBoostJson(j);
      } catch (e) {
        return (e as PrognosError).code;
      }
      return 'accepted';
    };
    expect(bad('not json')).toBe('BAD_FILE');
    expect(bad({})).toBe('BAD_FILE');
    expect(bad({ learner: { objective: { name: 'multi:softprob' } } })).toBe('BAD_FILE');
  });
});
