/**
 * Multivariate drift by a domain classifier: the project's GBDT learns to tell reference rows from
 * current rows, cross-validated by unit (the rows of one unit are never on both sides of a fold, so
 * the classifier cannot win by recognising an engine it has seen), and the held-out ROC-AUC is the
 * drift score: 0.5 when the two are indistinguishable, 1 when every row gives its side away.
 *
 * Under life-stage matching the reference rows are drawn in proportion to their matching weights, so
 * the classifier sees both sides at the same life stages and wear alone does not separate them.
 */
import { rocAuc } from '../eval/metrics';
import { Rng } from '../data/prng';
import { trainGbdt, type GbdtDataset } from '../models/gbdt';

/**
 * Domain AUC at or above which the data count as drifted. Two samples of one distribution score about
 * 0.5 when cross-validated by unit: 0.48–0.53 on the synthetic fleets of test/unit/drift/engine.test.ts
 * (matched or not), 0.51–0.53 for FD001's held-out units and 0.43–0.45 for test_FD001 life-stage
 * matched (test/integration/drift/fd001-drift.test.ts). Real shifts score far higher: a 2-sd offset of
 * one sensor and a new operating regime 1.0; engines in service against a run-to-failure reference,
 * unmatched, 0.62 (test_FD001) and 0.79 (synthetic). 0.6 sits above the noise of a few dozen units
 * and below those shifts.
 */
export const DEFAULT_DOMAIN_THRESHOLD = 0.6;
/** rows drawn from each side at most (the classifier's cost grows with rows; its AUC settles well below this) */
export const DOMAIN_MAX_ROWS = 10_000;
export const DOMAIN_FOLDS = 5;

export interface DomainInput {
  /** feature columns of the reference and the current rows (same order) */
  reference: readonly Float32Array[];
  current: readonly Float32Array[];
  /** group (unit) of each row, per side; the sides' groups are always different groups */
  referenceGroup: Int32Array;
  currentGroup: Int32Array;
  /** reference weights (life-stage matching): rows are drawn in proportion to them */
  referenceWeights?: Float64Array;
  seed: number;
  signal?: AbortSignal;
}

export interface DomainResult {
  auc: number;
  folds: number;
  rows: { reference: number; current: number };
  /** false when a side had fewer than two units (the score is then 0.5 by definition of no evidence) */
  crossValidated: boolean;
}

/** Indices 0..n-1, or a seeded draw of `max` of them (without replacement), ascending. */
function subsample(n: number, max: number, rng: Rng): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng.float() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.subarray(0, max).sort();
}

/** Systematic resampling: `count` indices drawn in proportion to `w` (low variance, ascending). */
function drawWeighted(w: Float64Array, count: number, rng: Rng): Int32Array {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  const out = new Int32Array(count);
  const step = total / count;
  let u = rng.float() * step;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < count; k++) {
    while (i < w.length - 1 && acc + w[i]! <= u) acc += w[i++]!;
    out[k] = i;
    u += step;
  }
  return out;
}

/** Folds by group: each side's groups shuffled and dealt round-robin, so every fold holds both sides. */
function foldsOf(groups: Int32Array, folds: number, rng: Rng): Int32Array {
  const distinct = [...new Set(groups)];
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!];
  }
  const foldOfGroup = new Map(distinct.map((g, k) => [g, k % folds]));
  return Int32Array.from(groups, (g) => foldOfGroup.get(g)!);
}

export async function domainClassifierAuc(input: DomainInput): Promise<DomainResult> {
  const rng = new Rng(input.seed, 7);
  const nRef = input.referenceGroup.length;
  const nCur = input.currentGroup.length;
  const refRows = input.referenceWeights === undefined ? subsample(nRef, DOMAIN_MAX_ROWS, rng) : drawWeighted(input.referenceWeights, Math.min(nRef, DOMAIN_MAX_ROWS), rng);
  const curRows = subsample(nCur, DOMAIN_MAX_ROWS, rng);
  const refGroups = Int32Array.from(refRows, (i) => input.referenceGroup[i]!);
  const curGroups = Int32Array.from(curRows, (i) => input.currentGroup[i]!);
  const groupsRef = new Set(refGroups).size;
  const groupsCur = new Set(curGroups).size;
  const rows = { reference: refRows.length, current: curRows.length };
  if (groupsRef < 2 || groupsCur < 2 || refRows.length === 0 || curRows.length === 0) return { auc: 0.5, folds: 0, rows, crossValidated: false };
  const folds = Math.min(DOMAIN_FOLDS, groupsRef, groupsCur);
  const fold = new Int32Array(refRows.length + curRows.length);
  fold.set(foldsOf(refGroups, folds, rng), 0);
  fold.set(foldsOf(curGroups, folds, rng), refRows.length);
  const n = fold.length;
  const columns = input.reference.map((ref, j) => {
    const cur = input.current[j]!;
    const out = new Float32Array(n);
    for (let k = 0; k < refRows.length; k++) out[k] = ref[refRows[k]!]!;
    for (let k = 0; k < curRows.length; k++) out[refRows.length + k] = cur[curRows[k]!]!;
    return out;
  });
  const label = new Uint8Array(n);
  label.fill(1, refRows.length);

  // the held-out AUC of each fold, weighted by its rows (pooling scores across folds would mix the folds' scales)
  let weighted = 0;
  let counted = 0;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    const trainSet = pick(columns, label, train);
    const testSet = pick(columns, label, test);
    let positives = 0;
    for (const v of trainSet.label) positives += v;
    if (positives === 0 || positives === trainSet.rows) continue;
    const model = await trainGbdt(
      trainSet,
      {
        nEstimators: 60,
        maxDepth: 4,
        eta: 0.1,
        subsample: 0.8,
        colsampleBytree: 0.8,
        minChildWeight: 5,
        earlyStoppingRounds: 0,
        scalePosWeight: (trainSet.rows - positives) / positives,
        seed: input.seed + f,
      },
      input.signal === undefined ? {} : { signal: input.signal },
    );
    const auc = rocAuc(model.predictProba(testSet.columns, testSet.rows), testSet.label);
    if (auc === null) continue;
    weighted += auc * testSet.rows;
    counted += testSet.rows;
  }
  return { auc: counted === 0 ? 0.5 : weighted / counted, folds, rows, crossValidated: counted > 0 };
}

function pick(columns: readonly Float32Array[], label: Uint8Array, rows: readonly number[]): GbdtDataset {
  return {
    rows: rows.length,
    features: columns.length,
    columns: columns.map((c) => Float32Array.from(rows, (i) => c[i]!)),
    label: Uint8Array.from(rows, (i) => label[i]!),
  };
}
