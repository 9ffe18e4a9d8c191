/**
 * K-fold cross-fitting of tree ensembles (the RUL regression, the failure classifier) over units: the units are dealt (seeded) into K folds; the
 * k-th GBDT learns from every other fold's rows and stops early on fold k's full-window rows. The K
 * models are averaged into one (`averageRegressors`: one XGBoost model, so bundles, ONNX export and
 * `pipeline.onnx` see a single tree ensemble), and every unit of the folds can be predicted out of
 * fold, by the one model that never saw it; the RUL ensemble weight and the conformal intervals are
 * fitted on those predictions.
 */
import { PrognosError } from '../../../shared/errors';
import type { FleetTable } from '../data/table';
import { trainGbdt, type GbdtDataset, type GbdtModel, type GbdtParams } from '../models/gbdt';
import { createRng, shuffleInPlace } from '../split';
import { averageClassifiers, averageRegressors } from './average';

/** The units dealt into `k` folds after a seeded shuffle (sizes differ by at most one). */
export function unitFolds(units: readonly number[], k: number, seed: number): number[][] {
  if (!Number.isInteger(k) || k < 2) throw new PrognosError('INVALID_INPUT', `rul.folds: cross-fitting needs at least 2 folds, got ${k}`);
  const distinct = [...new Set(units)].sort((a, b) => a - b);
  if (distinct.length < k) throw new PrognosError('INVALID_INPUT', `rul.folds: ${k} folds need at least ${k} units; the training and validation units number ${distinct.length}`);
  const order = shuffleInPlace(distinct, createRng(seed ^ 0x5f0d));
  const folds: number[][] = Array.from({ length: k }, () => []);
  order.forEach((u, i) => folds[i % k]!.push(u));
  return folds.map((f) => f.sort((a, b) => a - b));
}

export interface CrossFitInput {
  table: Pick<FleetTable, 'unit'>;
  /** feature columns (one value per table row) and their names */
  columns: readonly Float32Array[];
  names: string[];
  /** the regression target per table row (reg:squarederror), or the 0/1 label per table row (binary:logistic) */
  target: Float32Array | Uint8Array;
  /** rows each fold's model may learn from (every row of the folds' units) */
  fitRows: Int32Array;
  /** rows each fold's model stops early on (the full-window rows of the folds' units) */
  stopRows: Int32Array;
  folds: number[][];
  params: Partial<GbdtParams>;
  /** seed of the first fold's model; fold k uses seed + k */
  seed: number;
  signal?: AbortSignal;
  onIteration?: (fold: number, e: { iteration: number; validLoss?: number }) => void;
}

export interface CrossFit {
  /** the K models averaged into one */
  model: GbdtModel;
  members: GbdtModel[];
  folds: number[][];
  /** each row predicted by the model whose held-out fold holds its unit (rows of the folds' units only) */
  outOfFold: (rows: Int32Array) => Float64Array;
}

function gather(columns: readonly Float32Array[], rows: readonly number[], target: Float32Array | Uint8Array): GbdtDataset {
  const base = { rows: rows.length, features: columns.length, columns: columns.map((c) => Float32Array.from(rows, (r) => c[r]!)) };
  return target instanceof Uint8Array
    ? { ...base, label: Uint8Array.from(rows, (r) => target[r]!) }
    : { ...base, label: new Uint8Array(0), target: Float32Array.from(rows, (r) => target[r]!) };
}

/** RUL regression trees cross-fitted (a Float32Array target); averaged as values. */
export async function crossFitRegressor(input: CrossFitInput & { target: Float32Array }): Promise<CrossFit> {
  return crossFitTrees(input, 'reg:squarederror');
}

/** Failure classifiers cross-fitted (a 0/1 label); averaged in log-odds, out-of-fold values are probabilities. */
export async function crossFitClassifier(input: CrossFitInput & { target: Uint8Array }): Promise<CrossFit> {
  return crossFitTrees(input, 'binary:logistic');
}

async function crossFitTrees(input: CrossFitInput, objective: 'reg:squarederror' | 'binary:logistic'): Promise<CrossFit> {
  const { table, columns, names, target, folds } = input;
  const foldOf = new Map<number, number>();
  folds.forEach((f, k) => f.forEach((u) => foldOf.set(u, k)));
  const members: GbdtModel[] = [];
  for (let k = 0; k < folds.length; k++) {
    const fit = Array.from(input.fitRows).filter((r) => foldOf.get(table.unit[r]!) !== k);
    const stop = Array.from(input.stopRows).filter((r) => foldOf.get(table.unit[r]!) === k);
    if (stop.length === 0) throw new PrognosError('INVALID_INPUT', `rul.folds: fold ${k + 1} of ${folds.length} has no row with a full history window to stop on`);
    members.push(
      await trainGbdt(
        gather(columns, fit, target),
        { ...input.params, objective, seed: input.seed + k },
        {
          valid: gather(columns, stop, target),
          featureNames: names,
          ...(input.signal === undefined ? {} : { signal: input.signal }),
          onIteration: (e) => input.onIteration?.(k, { iteration: e.iteration, ...(e.validLoss === undefined ? {} : { validLoss: e.validLoss }) }),
        },
      ),
    );
  }
  const outOfFold = (rows: Int32Array): Float64Array => {
    const out = new Float64Array(rows.length);
    for (let k = 0; k < members.length; k++) {
      const at: number[] = [];
      rows.forEach((r, i) => {
        const f = foldOf.get(table.unit[r]!);
        if (f === undefined) throw new PrognosError('INTERNAL', `unit ${table.unit[r]} is in no fold`);
        if (f === k) at.push(i);
      });
      if (at.length === 0) continue;
      const p = members[k]!.predictValue(columns.map((c) => Float32Array.from(at, (i) => c[rows[i]!]!)), at.length);
      at.forEach((i, j) => (out[i] = p[j]!));
    }
    return out;
  };
  return { model: objective === 'reg:squarederror' ? averageRegressors(members) : averageClassifiers(members), members, folds, outOfFold };
}
