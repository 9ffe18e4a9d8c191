/**
 * The remaining-useful-life stage of the training pipeline, beside the classifier:
 * - target min(RUL, cap) per row (piecewise-linear knee);
 * - a GBDT regression (reg:squarederror) on the `rul.topK` best-ranked features (its own columns,
 *   scored by name): by default (`rul.folds` 0) learnt from the training rows with early stopping
 *   on the validation units' full-window rows, `rul.seeds` of them (consecutive seeds) averaged into
 *   one model; with `rul.folds` ≥ 2 cross-fitted over the training and validation units (K folds of
 *   units, K models each stopping early on its own held-out fold, averaged into one model; the
 *   validation rows are then predicted out of fold, by the model that did not see their unit);
 * - with the LSTM in the models, its fractional head (σ output = min(RUL, cap) / cap) on the same
 *   windows and scaler;
 * - the RUL ensemble weight: the GBDT weight with the lowest RMSE against min(RUL, cap) at every
 *   full-window row of the validation units (grid of 0.05; the GBDT's out-of-fold predictions);
 * - split-conformal intervals per predicted-RUL bin, from the residuals true − predicted at the
 *   validation units' full-window rows (true RUL uncapped);
 * - metrics per model at one cut cycle per validation and test unit (see `cutRows`), true RUL uncapped.
 */
import { PrognosError } from '../../../shared/errors';
import type { FleetTable } from '../data/table';
import { unitSpans } from '../data/table';
import { trainGbdt, type GbdtDataset, type GbdtModel } from '../models/gbdt';
import { predictRows, trainLstmMembers, type EpochRecord, type LstmModel, type MemberSummary } from '../models/lstm';
import { lstmTrainParams, type TrainConfig } from '../pipeline/config';
import { createRng } from '../split';
import { buildWindows } from '../windows';
import { fullWindowRows } from '../eval/official';
import { averageRegressors } from './average';
import { crossFitRegressor, unitFolds } from './cross-fit';
import { applyInterval, blendRul, cappedTarget, chooseRulWeight, fitConformal, rulMetrics } from './metrics';
import type { RulInterval, RulMetrics } from './types';

export type RulModelName = 'gbdt' | 'lstm' | 'ensemble';

/** One unit's RUL at its cut cycle: what the Results view plots (predicted against true, with the interval). */
export interface RulPoint {
  unit: number;
  cycle: number;
  /** true RUL, uncapped */
  truth: number;
  rul: number;
  low: number;
  high: number;
}

export interface RulOutcomeInfo {
  cap: number;
  coverage: number;
  /** GBDT weight of the RUL ensemble (1 without an LSTM) */
  weight: number;
  /** validation RMSE against min(RUL, cap) per GBDT weight (empty without an LSTM) */
  weightGrid: { weight: number; rmse: number }[];
  /** each model's interval; `interval` is the headline model's (the ensemble, else the GBDT) */
  intervals: Partial<Record<RulModelName, RulInterval>>;
  interval: RulInterval;
  metrics: Partial<Record<RulModelName, { validation: RulMetrics; test: RulMetrics | null }>>;
  /** the headline model at the cut cycle of each validation and test unit */
  points: { validation: RulPoint[]; test: RulPoint[] };
  gbdtBestIteration: number;
  /** trees of each seed's (or fold's) ensemble in the averaged RUL GBDT */
  gbdtMembers: number[];
  /** the RUL GBDT's features, in model order (the `rul.topK` best-ranked; absent in runs made before they had their own) */
  features?: string[];
  /** folds of the RUL GBDT's cross-fitting over the training and validation units (0: none, `rul.seeds` averaged) */
  folds?: number;
  /** the head's first network (history, best epoch) and every network it averages (config.lstm.members) */
  lstm?: { bestEpoch: number; history: EpochRecord[]; members?: MemberSummary[] };
  /** training rows; validation full-window rows (early stopping, weight and interval calibration) */
  rows: { train: number; validation: number };
}

export interface RulOutcome extends RulOutcomeInfo {
  gbdt: GbdtModel;
  lstmModel?: LstmModel;
}

export interface RulStageInput {
  table: FleetTable;
  config: TrainConfig;
  /** true RUL per table row (run-to-failure: cycles to the unit's last row) */
  rul: Int32Array;
  /** the RUL GBDT's feature columns (one value per table row) and their names */
  columns: readonly Float32Array[];
  names: string[];
  trainRows: Int32Array;
  /** full-window rows of the validation / test units */
  validRows: Int32Array;
  testRows: Int32Array;
  /** the classifier LSTM's scaled columns and training window ends, when the LSTM is in the models */
  sequence?: { scaled: Float32Array[]; trainEnds: Int32Array };
  signal?: AbortSignal;
  onIteration?: (model: 'gbdt' | 'lstm', e: { iteration: number; trainLoss: number; validLoss?: number }) => void;
  onProgress?: (fraction: number, message: string) => void;
  /** called once the RUL trees are trained and have scored the validation and test rows (stage timing) */
  onTreesDone?: () => void;
}

function gather(columns: readonly Float32Array[], rows: Int32Array, target: Float32Array): GbdtDataset {
  return {
    rows: rows.length,
    features: columns.length,
    columns: columns.map((c) => Float32Array.from(rows, (r) => c[r]!)),
    label: new Uint8Array(0),
    target,
  };
}

/**
 * One cut cycle per unit, like the official test files cut their units: drawn (seeded) uniformly among
 * the unit's full-window rows in `rows`. The metrics at the "last cycle" of a validation or test unit
 * are taken there, since every training-file unit runs to failure (true RUL 0 at its real last cycle).
 */
export function cutRows(table: Pick<FleetTable, 'rowCount' | 'unit'>, rows: Int32Array, seed: number): Int32Array {
  const byUnit = new Map<number, number[]>();
  for (const r of rows) {
    const u = table.unit[r]!;
    const list = byUnit.get(u);
    if (list === undefined) byUnit.set(u, [r]);
    else list.push(r);
  }
  const rng = createRng(seed);
  const out: number[] = [];
  for (const s of unitSpans(table)) {
    const list = byUnit.get(s.unit);
    if (list === undefined) continue;
    out.push(list[Math.min(list.length - 1, Math.floor(rng() * list.length))]!);
  }
  return Int32Array.from(out);
}

/** index of each of `subset` within `rows` (subset ⊆ rows, both ascending) */
function positionsIn(rows: Int32Array, subset: Int32Array): Int32Array {
  const at = new Map<number, number>();
  rows.forEach((r, k) => at.set(r, k));
  return Int32Array.from(subset, (r) => at.get(r)!);
}

const pick = (v: ArrayLike<number>, idx: Int32Array): Float64Array => Float64Array.from(idx, (k) => v[k]!);

export async function trainRulStage(input: RulStageInput): Promise<RulOutcome> {
  const { table, config, rul, columns, names, trainRows, validRows, testRows } = input;
  const { cap, coverage } = config.rul;
  const signal = input.signal;
  const target = cappedTarget(rul, cap);
  const trainTarget = Float32Array.from(trainRows, (r) => target[r]!);
  const validTarget = Float32Array.from(validRows, (r) => target[r]!);

  input.onProgress?.(0, 'Training the RUL trees…');
  const { scalePosWeight: _spw, ...gbdtParams } = config.gbdt;
  const n = config.rul.gbdt.nEstimators;
  const treeParams = { ...gbdtParams, ...config.rul.gbdt };
  let members: GbdtModel[];
  let gbdt: GbdtModel;
  /** the GBDT's predictions on the validation rows: out of fold when cross-fitted */
  let gbdtValid: (rows: Int32Array) => Float64Array;
  let folds = 0;
  if (config.rul.folds >= 2) {
    // cross-fitting over the training and validation units: each unit's rows teach K − 1 of the K models
    const validUnits = new Set(Array.from(validRows, (r) => table.unit[r]!));
    const units = [...new Set(Array.from(trainRows, (r) => table.unit[r]!)), ...validUnits];
    const unitSet = new Set(units);
    const fitRows: number[] = [];
    for (const s of unitSpans(table)) if (unitSet.has(s.unit)) for (let i = s.start; i < s.end; i++) fitRows.push(i);
    const stopRows = fullWindowRows(table, config.historyWindow).filter((r) => unitSet.has(table.unit[r]!));
    folds = config.rul.folds;
    const cf = await crossFitRegressor({
      table,
      columns,
      names,
      target,
      fitRows: Int32Array.from(fitRows),
      stopRows,
      folds: unitFolds(units, folds, config.seed),
      params: treeParams,
      seed: config.seed,
      ...(signal === undefined ? {} : { signal }),
      onIteration: (k, e) => input.onProgress?.((0.5 * (k + (e.iteration + 1) / n)) / folds, `RUL trees (fold ${k + 1} of ${folds}): tree ${e.iteration + 1}, held-out fold RMSE ${e.validLoss?.toFixed(2) ?? '—'}`),
    });
    members = cf.members;
    gbdt = cf.model;
    gbdtValid = cf.outOfFold;
  } else {
    const train = gather(columns, trainRows, trainTarget);
    const valid = gather(columns, validRows, validTarget);
    const seeds = config.rul.seeds;
    members = [];
    for (let k = 0; k < seeds; k++) {
      members.push(
        await trainGbdt(
          train,
          { ...treeParams, objective: 'reg:squarederror', seed: config.seed + k },
          {
            valid,
            featureNames: names,
            ...(signal === undefined ? {} : { signal }),
            onIteration: (e) => input.onProgress?.((0.5 * (k + (e.iteration + 1) / n)) / seeds, `RUL trees (seed ${k + 1} of ${seeds}): tree ${e.iteration + 1}, validation RMSE ${e.validLoss?.toFixed(2) ?? '—'}`),
          },
        ),
      );
    }
    gbdt = averageRegressors(members);
    gbdtValid = (rows) => gbdtAt(rows);
  }
  function gbdtAt(rows: Int32Array): Float64Array {
    if (rows.length === 0) return new Float64Array(0);
    const picked = columns.map((c) => Float32Array.from(rows, (r) => c[r]!));
    return gbdt.predictValue(picked, rows.length);
  }
  const preds: Partial<Record<RulModelName, { valid: Float64Array; test: Float64Array }>> = {
    gbdt: { valid: gbdtValid(validRows), test: gbdtAt(testRows) },
  };
  input.onTreesDone?.();

  let lstmModel: LstmModel | undefined;
  let lstmInfo: RulOutcomeInfo['lstm'];
  if (input.sequence !== undefined) {
    const { scaled, trainEnds } = input.sequence;
    const trainWindows = buildWindows(scaled, table, trainEnds, config.historyWindow);
    const validWindows = buildWindows(scaled, table, validRows, config.historyWindow);
    const K = config.lstm.members;
    input.onProgress?.(0.5, `Training the LSTM's RUL head on ${trainWindows.n.toLocaleString('en-US')} windows${K > 1 ? ` (${K} networks, averaged)` : ''}…`);
    const r = await trainLstmMembers(
      { ...trainWindows, labels: Float32Array.from(trainEnds, (i) => target[i]! / cap) },
      { ...validWindows, labels: Float32Array.from(validTarget, (v) => v / cap) },
      lstmTrainParams(config),
      K,
      {
        target: 'fraction',
        ...(signal === undefined ? {} : { signal }),
        onBatch: (b) => input.onProgress?.(0.5 + 0.45 * b.fraction, `LSTM RUL epoch ${b.epoch}, batch ${b.batch} of ${b.batches}${K > 1 ? ` (network ${b.member + 1} of ${K})` : ''}`),
        onEpoch: (e) => {
          if (e.member === 0) input.onIteration?.('lstm', { iteration: e.epoch - 1, trainLoss: e.loss, validLoss: e.valLoss });
        },
      },
    );
    lstmModel = r.model;
    lstmInfo = { bestEpoch: r.bestEpoch, history: r.history, members: r.members };
    const lstmAt = (rows: Int32Array): Float64Array =>
      rows.length === 0 ? new Float64Array(0) : Float64Array.from(predictRows(r.model, scaled, table, rows, {}).prob, (p) => p * cap);
    preds.lstm = { valid: lstmAt(validRows), test: lstmAt(testRows) };
  }

  let weight = 1;
  let weightGrid: RulOutcomeInfo['weightGrid'] = [];
  if (preds.lstm !== undefined) {
    const choice = chooseRulWeight(preds.gbdt!.valid, preds.lstm.valid, validTarget);
    weight = choice.weight;
    weightGrid = [...choice.grid];
    preds.ensemble = { valid: blendRul(preds.gbdt!.valid, preds.lstm.valid, weight), test: blendRul(preds.gbdt!.test, preds.lstm.test, weight) };
  }
  if (signal?.aborted === true) throw new PrognosError('CANCELLED', 'Training cancelled.');

  // intervals from every validation full-window row; metrics at one cut cycle per unit
  const validTruth = Float64Array.from(validRows, (r) => rul[r]!);
  const validCuts = positionsIn(validRows, cutRows(table, validRows, config.seed));
  const testCuts = positionsIn(testRows, cutRows(table, testRows, config.seed + 1));
  const testTruth = Float64Array.from(testRows, (r) => rul[r]!);
  const intervals: RulOutcomeInfo['intervals'] = {};
  const metrics: RulOutcomeInfo['metrics'] = {};
  for (const [model, p] of Object.entries(preds) as [RulModelName, { valid: Float64Array; test: Float64Array }][]) {
    const interval = fitConformal(p.valid, validTruth, coverage);
    intervals[model] = interval;
    const at = (pred: Float64Array, truth: Float64Array, cuts: Int32Array): RulMetrics => {
      const v = pick(pred, cuts);
      return rulMetrics(v, pick(truth, cuts), applyInterval(interval, v));
    };
    metrics[model] = { validation: at(p.valid, validTruth, validCuts), test: testCuts.length === 0 ? null : at(p.test, testTruth, testCuts) };
  }
  const headline: RulModelName = preds.ensemble === undefined ? 'gbdt' : 'ensemble';
  const interval = intervals[headline]!;
  const points = (pred: Float64Array, truth: Float64Array, rows: Int32Array, cuts: Int32Array): RulPoint[] => {
    const v = pick(pred, cuts);
    const { low, high } = applyInterval(interval, v);
    return Array.from(cuts, (k, j) => ({ unit: table.unit[rows[k]!]!, cycle: table.cycle[rows[k]!]!, truth: truth[k]!, rul: v[j]!, low: low[j]!, high: high[j]! }));
  };
  input.onProgress?.(1, 'RUL intervals and metrics done.');
  return {
    cap,
    coverage,
    weight,
    weightGrid,
    intervals,
    interval,
    metrics,
    points: { validation: points(preds[headline]!.valid, validTruth, validRows, validCuts), test: points(preds[headline]!.test, testTruth, testRows, testCuts) },
    gbdtBestIteration: gbdt.bestIteration,
    gbdtMembers: members.map((m) => m.trees.length),
    features: [...names],
    folds,
    ...(lstmInfo === undefined ? {} : { lstm: lstmInfo }),
    rows: { train: trainRows.length, validation: validRows.length },
    gbdt,
    ...(lstmModel === undefined ? {} : { lstmModel }),
  };
}

/** A run's RUL models as scoring needs them. */
export interface RulModels {
  gbdt: GbdtModel;
  lstm?: LstmModel;
  weight: number;
  cap: number;
  /** the headline interval (the ensemble's, else the GBDT's) and each model's */
  interval: RulInterval;
  intervals: Partial<Record<RulModelName, RulInterval>>;
}

export interface RowRul {
  gbdt: Float64Array;
  lstm?: Float64Array;
  /** the headline RUL (ensemble, else GBDT) with its interval */
  value: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

/**
 * RUL at `at` (rows of `table`) from the RUL GBDT's feature columns (`m.gbdt.featureNames`, one value
 * per row of `at`) and, for the LSTM head, the scaled full columns.
 */
export function scoreRul(m: RulModels, picked: readonly Float32Array[], table: Pick<FleetTable, 'rowCount' | 'unit'>, at: Int32Array, scaled?: Float32Array[]): RowRul {
  const gbdt = at.length === 0 ? new Float64Array(0) : m.gbdt.predictValue(picked, at.length);
  let lstm: Float64Array | undefined;
  if (m.lstm !== undefined) {
    if (scaled === undefined) throw new PrognosError('INTERNAL', 'the RUL LSTM needs the scaled feature columns');
    const model = m.lstm;
    lstm = at.length === 0 ? new Float64Array(0) : Float64Array.from(predictRows(model, scaled, table, at, {}).prob, (p) => p * m.cap);
  }
  const value = lstm === undefined ? gbdt : blendRul(gbdt, lstm, m.weight);
  const { low, high } = applyInterval(m.interval, value);
  return { gbdt, ...(lstm === undefined ? {} : { lstm }), value, low, high };
}
