/**
 * The training pipeline, from an imported fleet to a tested model:
 * labels → split by unit (leakage guard) → features (fitted on training units) → ranking and
 * selection (training units only) → GBDT with early stopping on the validation units → threshold
 * tuned for F2 on validation → metrics on validation and the held-out test units.
 *
 * Evaluation rows are those with a full history window (as the sequence model sees them), so every
 * model is scored on the same rows.
 */
import { PrognosError } from '../../../shared/errors';
import type { FleetTable } from '../data/table';
import { unitSpans } from '../data/table';
import { fullWindowRows } from '../eval/official';
import { computeMetrics, prCurve, rocCurve, tuneThreshold, type Metrics, type PrPoint, type RocPoint } from '../eval/metrics';
import { engineerFeatures, type EngineeredFeatures, type FeatureDef, type FeatureState } from '../features/engineer';
import { rankFeatures, selectTop, type FeatureRank } from '../features/ranking';
import { failWithin, rulPerRow } from '../labels';
import { trainGbdt, type GbdtDataset, type GbdtModel } from '../models/gbdt';
import { assertNoLeakage, rowMaskFor, splitUnits, type UnitSplit } from '../split';
import type { TrainConfig } from './config';

export type Stage = 'labels' | 'features' | 'ranking' | 'gbdt' | 'evaluate';

export interface PipelineProgress {
  stage: Stage;
  /** overall fraction 0..1 */
  fraction: number;
  message: string;
}

export interface PipelineHooks {
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  onIteration?: (model: 'gbdt', e: { iteration: number; trainLoss: number; validLoss?: number }) => void;
}

export interface SplitMetrics {
  validation: Metrics;
  test: Metrics | null;
}

export interface Curves {
  roc: RocPoint[];
  pr: PrPoint[];
}

export interface PipelineResult {
  split: UnitSplit;
  featureState: FeatureState;
  engineeredCount: number;
  ranking: FeatureRank[];
  selected: string[];
  selectedDefs: FeatureDef[];
  gbdt: GbdtModel;
  threshold: number;
  metrics: { gbdt: SplitMetrics };
  curves: { gbdt: { validation: Curves; test: Curves | null } };
  /** validation probabilities and labels, so a UI can move the threshold without a round trip */
  validationScores: { gbdt: number[]; label: number[] };
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
  const features = engineerFeatures(table, config.features, {
    fitRows: trainMask,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (f) => hooks.onProgress?.({ stage: 'features', fraction: 0.02 + 0.1 * f, message: 'Engineering features…' }),
  });
  return { rul, label, split, trainMask, features };
}

/** Ranks every engineered feature on the training units (optionally with a quick GBDT's gain). */
export async function rankPrepared(p: PreparedFeatures, table: FleetTable, config: TrainConfig, hooks: PipelineHooks = {}): Promise<FeatureRank[]> {
  let gain: Record<string, number> | undefined;
  if (config.rankWithGain) {
    const trainRows = rowsOfUnits(table, p.split.train);
    const quick = await trainGbdt(
      gatherDataset(p.features.columns, p.label, trainRows),
      { nEstimators: 30, maxDepth: 4, eta: 0.3, subsample: 0.8, colsampleBytree: 0.8, earlyStoppingRounds: 0, seed: config.seed },
      { featureNames: p.features.names, ...(hooks.signal === undefined ? {} : { signal: hooks.signal }) },
    );
    gain = quick.gainImportance();
  }
  check(hooks.signal);
  return rankFeatures({
    names: p.features.names,
    columns: p.features.columns,
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
    timings[`${name}Seconds`] = (now - t0) / 1000;
    t0 = now;
  };
  const progress = (stage: Stage, fraction: number, message: string): void => hooks.onProgress?.({ stage, fraction, message });

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

  progress('gbdt', 0.2, 'Training gradient-boosted trees…');
  const n = config.gbdt.nEstimators;
  const gbdt = await trainGbdt(train, { ...rest, scalePosWeight: spw, seed: config.seed }, {
    valid,
    featureNames: selected,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onIteration: (e) => {
      hooks.onIteration?.('gbdt', { iteration: e.iteration, trainLoss: e.trainLogloss, ...(e.validLogloss === undefined ? {} : { validLoss: e.validLogloss }) });
      progress('gbdt', 0.2 + (0.75 * (e.iteration + 1)) / n, `Tree ${e.iteration + 1} of ${n}`);
    },
  });
  lap('gbdt');

  progress('evaluate', 0.96, 'Tuning the threshold for F2 on the validation units…');
  const pValid = gbdt.predictProba(valid.columns, valid.rows);
  const threshold = tuneThreshold(pValid, valid.label, 2);
  const pTest = test === undefined ? undefined : gbdt.predictProba(test.columns, test.rows);
  const metrics = {
    gbdt: {
      validation: computeMetrics(pValid, valid.label, threshold),
      test: test === undefined || pTest === undefined ? null : computeMetrics(pTest, test.label, threshold),
    },
  };
  const curves = {
    gbdt: {
      validation: { roc: rocCurve(pValid, valid.label), pr: prCurve(pValid, valid.label) },
      test: test === undefined || pTest === undefined ? null : { roc: rocCurve(pTest, test.label), pr: prCurve(pTest, test.label) },
    },
  };
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
    threshold,
    metrics,
    curves,
    validationScores: { gbdt: Array.from(pValid), label: Array.from(valid.label) },
    importance: gbdt.gainImportance(),
    timings,
    rows: { train: train.rows, validation: valid.rows, test: test?.rows ?? 0 },
  };
}

/** Per-row probabilities of a trained GBDT on a new table (same feature state, same selection). */
export function scoreTable(table: FleetTable, state: FeatureState, selected: readonly string[], gbdt: GbdtModel): Float64Array {
  const f = engineerFeatures(table, state.spec, { state });
  const cols = pickColumns(f, selected);
  return gbdt.predictProba(cols, table.rowCount);
}
