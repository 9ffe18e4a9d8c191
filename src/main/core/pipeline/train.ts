/**
 * The training pipeline, from an imported fleet to a tested model:
 * labels → split by unit (leakage guard) → features (fitted on training units) → ranking and
 * selection (training units only) → GBDT with early stopping on the validation units → threshold
 * tuned for F2 on validation → metrics on validation and the held-out test units.
 *
 * Evaluation rows are those with a full history window (as the sequence model sees them), so every
 * model is scored on the same rows.
 */
import { SmoothProgress } from './smooth-progress';
import { PrognosError } from '../../../shared/errors';
import type { FleetTable } from '../data/table';
import { unitSpans } from '../data/table';
import { fullWindowRows } from '../eval/official';
import { computeMetrics, prCurve, rocCurve, tuneThreshold, type Metrics, type PrPoint, type RocPoint } from '../eval/metrics';
import { engineerFeatures, type EngineeredFeatures, type FeatureDef, type FeatureState } from '../features/engineer';
import { rankFeatures, selectTop, type FeatureRank } from '../features/ranking';
import { failWithin, rulPerRow } from '../labels';
import { trainGbdt, type GbdtDataset, type GbdtModel } from '../models/gbdt';
import { assertNoLeakage, rowMaskFor, splitUnits, StandardScaler, type ScalerParams, type UnitSplit } from '../split';
import { blend, optimiseEnsemble, type EnsembleChoice } from '../eval/ensemble';
import { type LstmModel, type MemberSummary, predictRows, trainLstmMembers, type EpochRecord } from '../models/lstm';
import { buildWindows, windowEnds } from '../windows';
import { lstmTrainParams, type TrainConfig } from './config';
import type { CalibrationReport } from '../../../shared/calibration';
import { applyCalibration } from '../eval/calibration';
import type { Calibration } from '../rul/types';
import { calibrateHeadline } from './calibrate';
import { scoreRul, trainRulStage, type RowRul, type RulModels, type RulOutcome, type RulStageInput } from '../rul/train-rul';

export type Stage = 'labels' | 'features' | 'ranking' | 'gbdt' | 'lstm' | 'rul' | 'evaluate';
export type ModelName = 'gbdt' | 'lstm' | 'ensemble';

export interface PipelineProgress {
  stage: Stage;
  /** overall fraction 0..1 */
  fraction: number;
  message: string;
}

export interface PipelineHooks {
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** per boosting round (gbdt) or epoch (lstm) */
  onIteration?: (model: 'gbdt' | 'lstm', e: { iteration: number; trainLoss: number; validLoss?: number }) => void;
}

export interface SplitMetrics {
  validation: Metrics;
  test: Metrics | null;
}

export interface Curves {
  roc: RocPoint[];
  pr: PrPoint[];
}

export interface LstmOutcome {
  model: LstmModel;
  /** standardisation of the selected features, fitted on the training rows */
  scaler: ScalerParams;
  /** the first network's epochs and best epoch (the others are in `members`) */
  history: EpochRecord[];
  bestEpoch: number;
  /** every network the model averages (config.lstm.members), in seed order */
  members: MemberSummary[];
  backend: string;
  threads: number;
  windows: { train: number; padded: number; shortUnits: number[] };
}

export interface PipelineResult {
  split: UnitSplit;
  featureState: FeatureState;
  engineeredCount: number;
  ranking: FeatureRank[];
  selected: string[];
  selectedDefs: FeatureDef[];
  gbdt: GbdtModel;
  lstm?: LstmOutcome;
  /** remaining useful life (config.rul.enabled) */
  rul?: RulOutcome;
  /** the headline model's alert threshold (the ensemble's when there is an LSTM) */
  threshold: number;
  /** ensemble weight of the GBDT (1 without an LSTM) */
  weight: number;
  /** each model's own F2-tuned threshold */
  thresholds: Partial<Record<ModelName, number>>;
  metrics: Partial<Record<ModelName, SplitMetrics>>;
  curves: Partial<Record<ModelName, { validation: Curves; test: Curves | null }>>;
  /** validation probabilities per model and the labels, so a UI can move weight and threshold without a round trip */
  validationScores: Partial<Record<ModelName, number[]>> & { label: number[] };
  ensembleGrid?: EnsembleChoice[];
  /** the calibration of the headline probability (its metrics, threshold and validation scores are calibrated) */
  calibration: CalibrationReport;
  importance: Record<string, number>;
  timings: Record<string, number>;
  rows: { train: number; validation: number; test: number };
}

function check(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new PrognosError('CANCELLED', 'Training cancelled.');
}

/** Row indices of `units` with at least `window` cycles of history. */
function evaluationRows(table: FleetTable, units: readonly number[], window: number): Int32Array {
  const wanted = new Set(units);
  const all = fullWindowRows(table, window);
  return all.filter((i) => wanted.has(table.unit[i]!));
}

function rowsOfUnits(table: FleetTable, units: readonly number[]): Int32Array {
  const wanted = new Set(units);
  const out: number[] = [];
  for (const s of unitSpans(table)) if (wanted.has(s.unit)) for (let i = s.start; i < s.end; i++) out.push(i);
  return Int32Array.from(out);
}

export function gatherDataset(columns: readonly Float32Array[], label: Uint8Array, rows: Int32Array): GbdtDataset {
  const cols = columns.map((c) => {
    const out = new Float32Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = c[rows[k]!]!;
    return out;
  });
  const y = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) y[k] = label[rows[k]!]!;
  return { rows: rows.length, features: cols.length, columns: cols, label: y };
}

/** whether two feature lists name the same features in the same order (their columns can be shared) */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function pickColumns(f: EngineeredFeatures, names: readonly string[]): Float32Array[] {
  const index = new Map(f.names.map((n, i) => [n, i]));
  return names.map((n) => {
    const i = index.get(n);
    if (i === undefined) throw new PrognosError('INVALID_INPUT', `Unknown feature "${n}".`);
    return f.columns[i]!;
  });
}

export interface PreparedFeatures {
  rul: Int32Array;
  label: Uint8Array;
  split: UnitSplit;
  trainMask: Uint8Array;
  features: EngineeredFeatures;
}

/** Labels, split and features: shared by `train` and `features` so both see the same training units. */
export function prepareFeatures(table: FleetTable, config: TrainConfig, hooks: PipelineHooks = {}): PreparedFeatures {
  const rul = rulPerRow(table);
  const label = failWithin(rul, config.labelWindow);
  const units = unitSpans(table).map((s) => s.unit);
  if (units.length < 3) throw new PrognosError('INVALID_INPUT', `Training needs at least 3 units to split by unit; the dataset has ${units.length}.`);
  const split = splitUnits(units, { ...config.split, seed: config.seed });
  assertNoLeakage(split);
  const trainMask = rowMaskFor(table, split.train);
  check(hooks.signal);
  const features = engineerFeatures(table, engineeredSpec(config), {
    fitRows: trainMask,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (f) => hooks.onProgress?.({ stage: 'features', fraction: 0.02 + 0.1 * f, message: 'Engineering features…' }),
  });
  return { rul, label, split, trainMask, features };
}

/** The trends engineered for the RUL trees alone: `rul.trend` on, and the user's feature spec without them. */
export function trendsForRulOnly(config: TrainConfig): boolean {
  return config.rul.enabled && config.rul.trend && !config.features.include.trend;
}

/** The spec the pipeline engineers: the user's, with the trends since the start when the RUL trees need them. */
export function engineeredSpec(config: TrainConfig): TrainConfig['features'] {
  return trendsForRulOnly(config) ? { ...config.features, include: { ...config.features.include, trend: true } } : config.features;
}

/** The trend features engineered for the RUL trees alone (empty when none are). */
export function rulOnlyFeatures(config: TrainConfig, features: Pick<EngineeredFeatures, 'defs'>): string[] {
  return trendsForRulOnly(config) ? features.defs.filter((d) => d.kind === 'trend').map((d) => d.name) : [];
}

/**
 * Ranks the engineered features on the training units (optionally with a quick GBDT's gain): every
 * one but the trends engineered for the RUL trees alone, which the classifier never reads.
 */
export async function rankPrepared(p: PreparedFeatures, table: FleetTable, config: TrainConfig, hooks: PipelineHooks = {}): Promise<FeatureRank[]> {
  const skip = new Set(rulOnlyFeatures(config, p.features));
  const keep = p.features.names.flatMap((n, i) => (skip.has(n) ? [] : [i]));
  const names = keep.map((i) => p.features.names[i]!);
  const columns = keep.map((i) => p.features.columns[i]!);
  let gain: Record<string, number> | undefined;
  if (config.rankWithGain) {
    const trainRows = rowsOfUnits(table, p.split.train);
    const quick = await trainGbdt(
      gatherDataset(columns, p.label, trainRows),
      { nEstimators: 30, maxDepth: 4, eta: 0.3, subsample: 0.8, colsampleBytree: 0.8, earlyStoppingRounds: 0, seed: config.seed },
      { featureNames: names, ...(hooks.signal === undefined ? {} : { signal: hooks.signal }) },
    );
    gain = quick.gainImportance();
  }
  check(hooks.signal);
  return rankFeatures({
    names,
    columns,
    table,
    rul: p.rul,
    label: p.label,
    rows: p.trainMask,
    ...(gain === undefined ? {} : { gain }),
  }, { weights: config.rankingWeights, seed: config.seed });
}

export async function runTrainingPipeline(table: FleetTable, config: TrainConfig, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    // a stage timed in several parts adds up (evaluate runs before and after calibration)
    timings[`${name}Seconds`] = (timings[`${name}Seconds`] ?? 0) + (now - t0) / 1000;
    t0 = now;
  };
  // a model stopped early by its validation loss hands its unused share of the bar to the stages after it
  const smooth = new SmoothProgress();
  const progress = (stage: Stage, fraction: number, message: string): void => hooks.onProgress?.({ stage, fraction: smooth.at(fraction), message });

  progress('labels', 0, 'Labelling and splitting by unit…');
  const prepared = prepareFeatures(table, config, hooks);
  const { label, split, features } = prepared;
  lap('features');

  progress('ranking', 0.13, `Ranking ${features.names.length} features on the training units…`);
  const ranking = await rankPrepared(prepared, table, config, hooks);
  const selected = selectTop(ranking, config.topK, config.manualFeatures);
  const defsByName = new Map(features.defs.map((d) => [d.name, d]));
  const selectedDefs = selected.map((n) => defsByName.get(n)!);
  lap('ranking');

  const cols = pickColumns(features, selected);
  const trainRows = rowsOfUnits(table, split.train);
  const validRows = evaluationRows(table, split.validation, config.historyWindow);
  const testRows = evaluationRows(table, split.test, config.historyWindow);
  if (validRows.length === 0) throw new PrognosError('INVALID_INPUT', `No validation unit has ${config.historyWindow} cycles of history.`);
  const train = gatherDataset(cols, label, trainRows);
  const valid = gatherDataset(cols, label, validRows);
  const test = testRows.length > 0 ? gatherDataset(cols, label, testRows) : undefined;
  let positives = 0;
  for (const v of train.label) positives += v;
  if (positives === 0 || positives === train.rows) {
    throw new PrognosError('INVALID_INPUT', `The training units have ${positives === 0 ? 'no' : 'only'} rows failing within ${config.labelWindow} cycles; a classifier needs both.`);
  }
  const { scalePosWeight, ...rest } = config.gbdt;
  const spw = scalePosWeight === 'balanced' ? (train.rows - positives) / positives : scalePosWeight;

  const withLstm = config.models.includes('lstm');
  // the classifier's share of the progress bar; the RUL stage takes the rest up to 0.95
  const clsEnd = config.rul.enabled ? (withLstm ? 0.55 : 0.75) : 0.95;
  const gbdtEnd = withLstm ? 0.2 + (clsEnd - 0.2) / 2 : clsEnd;
  progress('gbdt', 0.2, 'Training gradient-boosted trees…');
  const n = config.gbdt.nEstimators;
  const gbdt = await trainGbdt(train, { ...rest, scalePosWeight: spw, seed: config.seed }, {
    valid,
    featureNames: selected,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onIteration: (e) => {
      hooks.onIteration?.('gbdt', { iteration: e.iteration, trainLoss: e.trainLogloss, ...(e.validLogloss === undefined ? {} : { validLoss: e.validLogloss }) });
      progress('gbdt', 0.2 + ((gbdtEnd - 0.2) * (e.iteration + 1)) / n, `Tree ${e.iteration + 1} of ${n}`);
    },
  });
  smooth.endedEarly(gbdtEnd);
  lap('gbdt');

  const scores: Partial<Record<ModelName, { valid: Float64Array; test?: Float64Array }>> = {
    gbdt: { valid: gbdt.predictProba(valid.columns, valid.rows), ...(test === undefined ? {} : { test: gbdt.predictProba(test.columns, test.rows) }) },
  };

  let lstm: LstmOutcome | undefined;
  let sequence: RulStageInput['sequence'];
  if (withLstm) {
    const scaler = StandardScaler.fit(selected, cols, prepared.trainMask);
    const scaled = scaler.transform(cols);
    const ends = windowEnds(table, split.train, { length: config.historyWindow, stride: config.sequenceStride });
    const trainWindows = buildWindows(scaled, table, ends.rows, config.historyWindow);
    const validWindows = buildWindows(scaled, table, validRows, config.historyWindow);
    sequence = { scaled, trainEnds: ends.rows };
    const K = config.lstm.members;
    progress('lstm', gbdtEnd, `Training the LSTM on ${trainWindows.n.toLocaleString('en-US')} windows${K > 1 ? ` (${K} networks, averaged)` : ''}…`);
    const r = await trainLstmMembers(
      { ...trainWindows, labels: Array.from(ends.rows, (i) => label[i]!) },
      { ...validWindows, labels: valid.label },
      lstmTrainParams(config),
      K,
      {
        ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
        onBatch: (b) =>
          progress(
            'lstm',
            gbdtEnd + (clsEnd - gbdtEnd) * b.fraction,
            `LSTM epoch ${b.epoch}, batch ${b.batch} of ${b.batches}${K > 1 ? ` (network ${b.member + 1} of ${K})` : ''} · about ${Math.ceil(b.etaAllSeconds)} s left at most`,
          ),
        // the live training curve is the first network's
        onEpoch: (e) => {
          if (e.member === 0) hooks.onIteration?.('lstm', { iteration: e.epoch - 1, trainLoss: e.loss, validLoss: e.valLoss });
        },
      },
    );
    lstm = {
      model: r.model,
      scaler: scaler.toJSON(),
      history: r.history,
      bestEpoch: r.bestEpoch,
      members: r.members,
      backend: r.backend,
      threads: r.threads,
      windows: { train: trainWindows.n, padded: trainWindows.padded, shortUnits: ends.shortUnits },
    };
    const predict = (rows: Int32Array): Float64Array => Float64Array.from(predictRows(r.model, scaled, table, rows, {}).prob);
    scores.lstm = { valid: predict(validRows), ...(test === undefined ? {} : { test: predict(testRows) }) };
    smooth.endedEarly(clsEnd);
    lap('lstm');
  }

  let rul: RulOutcome | undefined;
  if (config.rul.enabled) {
    // the RUL trees' own features: the rul.topK best-ranked (the classifier's when they are the same), and the trends engineered for them
    const rulNames = [...selectTop(ranking, config.rul.topK, config.manualFeatures), ...rulOnlyFeatures(config, features)];
    const same = sameNames(rulNames, selected);
    rul = await trainRulStage({
      table,
      config,
      rul: prepared.rul,
      columns: same ? cols : pickColumns(features, rulNames),
      names: same ? selected : rulNames,
      trainRows,
      validRows,
      testRows,
      ...(sequence === undefined ? {} : { sequence }),
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
      onProgress: (f, message) => progress('rul', clsEnd + (0.95 - clsEnd) * f, message),
      onTreesDone: () => lap('rulGbdt'),
    });
    smooth.endedEarly(0.95);
    // the LSTM head, the RUL weight, intervals and metrics (without an LSTM: the GBDT's intervals and metrics)
    lap(sequence === undefined ? 'rulGbdt' : 'rulLstm');
  }

  progress('evaluate', 0.96, 'Tuning thresholds for F2 on the validation units…');
  let weight = 1;
  let ensembleGrid: EnsembleChoice[] | undefined;
  const thresholds: Partial<Record<ModelName, number>> = {};
  if (scores.lstm !== undefined) {
    const g = scores.gbdt!;
    const l = scores.lstm;
    let choice: EnsembleChoice;
    if (config.ensemble.optimise) {
      const o = optimiseEnsemble(g.valid, l.valid, valid.label, { criterion: config.ensemble.criterion });
      ensembleGrid = o.grid;
      choice = o;
    } else {
      const p = blend(g.valid, l.valid, config.ensemble.weight);
      choice = { weight: config.ensemble.weight, threshold: tuneThreshold(p, valid.label, 2), fBeta: 0 };
    }
    weight = choice.weight;
    thresholds.ensemble = choice.threshold;
    scores.ensemble = {
      valid: blend(g.valid, l.valid, weight),
      ...(g.test === undefined || l.test === undefined ? {} : { test: blend(g.test, l.test, weight) }),
    };
  }
  // calibration of the headline probability on the validation units; its threshold is then tuned on the calibrated values
  const headline: 'ensemble' | 'gbdt' = scores.ensemble !== undefined ? 'ensemble' : 'gbdt';
  const uncalibrated = scores[headline]!;
  lap('evaluate');
  const calibrated = calibrateHeadline(
    headline,
    weight,
    config.calibration.method,
    { p: uncalibrated.valid, label: valid.label, unit: Int32Array.from(validRows, (i) => table.unit[i]!) },
    uncalibrated.test === undefined || test === undefined ? undefined : { p: uncalibrated.test, label: test.label },
    config.seed,
  );
  scores[headline] = { valid: calibrated.valid, ...(calibrated.test === undefined ? {} : { test: calibrated.test }) };
  delete thresholds[headline];
  lap('calibration');

  const metrics: PipelineResult['metrics'] = {};
  const curves: PipelineResult['curves'] = {};
  const validationScores: PipelineResult['validationScores'] = { label: Array.from(valid.label) };
  for (const [model, sc] of Object.entries(scores) as [ModelName, { valid: Float64Array; test?: Float64Array }][]) {
    const t = thresholds[model] ?? tuneThreshold(sc.valid, valid.label, 2);
    thresholds[model] = t;
    metrics[model] = {
      validation: computeMetrics(sc.valid, valid.label, t),
      test: test === undefined || sc.test === undefined ? null : computeMetrics(sc.test, test.label, t),
    };
    curves[model] = {
      validation: { roc: rocCurve(sc.valid, valid.label), pr: prCurve(sc.valid, valid.label) },
      test: test === undefined || sc.test === undefined ? null : { roc: rocCurve(sc.test, test.label), pr: prCurve(sc.test, test.label) },
    };
    validationScores[model] = Array.from(sc.valid);
  }
  lap('evaluate');
  progress('evaluate', 1, 'Done.');
  return {
    split,
    featureState: features.state,
    engineeredCount: features.names.length,
    ranking,
    selected,
    selectedDefs,
    gbdt,
    ...(lstm === undefined ? {} : { lstm }),
    ...(rul === undefined ? {} : { rul }),
    threshold: thresholds.ensemble ?? thresholds.gbdt!,
    weight,
    thresholds,
    metrics,
    curves,
    validationScores,
    ...(ensembleGrid === undefined ? {} : { ensembleGrid }),
    calibration: calibrated.report,
    importance: gbdt.gainImportance(),
    timings,
    rows: { train: train.rows, validation: valid.rows, test: test?.rows ?? 0 },
  };
}

export interface TrainedModels {
  featureState: FeatureState;
  selected: readonly string[];
  gbdt: GbdtModel;
  lstm?: { model: LstmModel; scaler: ScalerParams };
  weight: number;
  /** calibration of the headline probability (none when absent) */
  calibration?: Calibration;
  rul?: RulModels;
}

export interface RowProbabilities {
  gbdt: Float64Array;
  lstm?: Float64Array;
  /** the ensemble (the GBDT's alone without an LSTM), calibrated */
  probability: Float64Array;
  /** remaining useful life, when the run trained RUL models */
  rul?: RowRul;
}

/**
 * Per-row probabilities of the in-app engines on a new table (same feature recipe, same
 * selection, same scaler), at `rows` (every row by default), each with its unit's history up to it.
 * `engineered`: the table's features under the run's state, when the caller has them already.
 */
export function scoreRows(table: FleetTable, m: TrainedModels, rows?: Int32Array, engineered?: EngineeredFeatures): RowProbabilities {
  const f = engineered ?? engineerFeatures(table, m.featureState.spec, { state: m.featureState });
  const cols = pickColumns(f, m.selected);
  const at = rows ?? Int32Array.from({ length: table.rowCount }, (_, i) => i);
  const picked = cols.map((c) => Float32Array.from(at, (i) => c[i]!));
  const gbdt = m.gbdt.predictProba(picked, at.length);
  const calibration = m.calibration ?? { method: 'none' };
  const scaled = m.lstm === undefined ? undefined : StandardScaler.fromJSON(m.lstm.scaler).transform(cols);
  const rulNames = m.rul?.gbdt.featureNames;
  const rulPicked = rulNames === undefined || sameNames(rulNames, m.selected) ? picked : pickColumns(f, rulNames).map((c) => Float32Array.from(at, (i) => c[i]!));
  const rul = m.rul === undefined ? undefined : scoreRul(m.rul, rulPicked, table, at, scaled);
  if (m.lstm === undefined || scaled === undefined) return { gbdt, probability: applyCalibration(calibration, gbdt), ...(rul === undefined ? {} : { rul }) };
  const lstm = Float64Array.from(predictRows(m.lstm.model, scaled, table, at, {}).prob);
  return { gbdt, lstm, probability: applyCalibration(calibration, blend(gbdt, lstm, m.weight)), ...(rul === undefined ? {} : { rul }) };
}
