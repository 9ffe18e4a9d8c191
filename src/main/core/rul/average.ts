/** Several tree ensembles on the same features as one: their average (in log-odds for classifiers), as a single model. */
import { PrognosError } from '../../../shared/errors';
import { GbdtModel, type GbdtTree } from '../models/gbdt';

/** the tree with every leaf value divided by k */
function scaleLeaves(t: GbdtTree, k: number): GbdtTree {
  const threshold = Float32Array.from(t.threshold);
  const baseWeight = Float32Array.from(t.baseWeight);
  for (let n = 0; n < threshold.length; n++) {
    if (t.left[n] === -1) {
      threshold[n] = threshold[n]! / k;
      baseWeight[n] = baseWeight[n]! / k;
    }
  }
  return { ...t, threshold, baseWeight };
}

/**
 * mean_k(base_k + Σ trees_k) = mean_k(base_k) + Σ_k Σ trees_k / K: every leaf value divided by K, the
 * base scores averaged. One XGBoost model that predicts the average (float32 accumulation as any model).
 */
export function averageRegressors(models: readonly GbdtModel[]): GbdtModel {
  if (models.length === 0) throw new PrognosError('INVALID_INPUT', 'nothing to average');
  if (models.length === 1) return models[0]!;
  const first = models[0]!;
  for (const m of models) {
    if (!m.isRegression) throw new PrognosError('INVALID_INPUT', 'only reg:squarederror models can be averaged');
    if (m.featureNames.join('\u0000') !== first.featureNames.join('\u0000')) throw new PrognosError('INVALID_INPUT', 'the models to average have different features');
  }
  const k = models.length;
  return new GbdtModel({
    trees: models.flatMap((m) => m.trees.map((t) => scaleLeaves(t, k))),
    featureNames: [...first.featureNames],
    baseScore: models.reduce((s, m) => s + m.baseScore, 0) / k,
    bestIteration: models.reduce((s, m) => s + m.trees.length, 0) - 1,
    objective: 'reg:squarederror',
  });
}

/**
 * Several binary:logistic tree ensembles on the same features as one, averaged in log-odds:
 * mean_k(margin_k) = mean_k(base margin_k) + Σ_k Σ trees_k / K. Every leaf value divided by K; the
 * base score is the probability whose margin is the mean base margin (float32, as XGBoost stores it).
 */
export function averageClassifiers(models: readonly GbdtModel[]): GbdtModel {
  if (models.length === 0) throw new PrognosError('INVALID_INPUT', 'nothing to average');
  if (models.length === 1) return models[0]!;
  const first = models[0]!;
  for (const m of models) {
    if (m.objective !== 'binary:logistic') throw new PrognosError('INVALID_INPUT', 'only binary:logistic models can be averaged in log-odds');
    if (m.featureNames.join('\u0000') !== first.featureNames.join('\u0000')) throw new PrognosError('INVALID_INPUT', 'the models to average have different features');
  }
  const k = models.length;
  const margin = models.reduce((s, m) => s + m.baseMargin, 0) / k;
  return new GbdtModel({
    trees: models.flatMap((m) => m.trees.map((t) => scaleLeaves(t, k))),
    featureNames: [...first.featureNames],
    baseScore: 1 / (1 + Math.exp(-margin)),
    bestIteration: models.reduce((s, m) => s + m.trees.length, 0) - 1,
    objective: 'binary:logistic',
  });
}
