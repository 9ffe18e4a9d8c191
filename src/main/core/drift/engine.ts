/**
 * The drift engine: compares the current data with a run's reference and returns the body of a drift
 * report (`DriftReport` without its id, time, source and current description, which the caller adds).
 *
 * - every column gets all five univariate scores (so the report can be re-read under another method
 *   or threshold) and a verdict under the chosen method; the dataset drifts when at least the set
 *   share of the run's selected features drift;
 * - multivariate: the PCA reconstruction error of the current rows against the reference's basis
 *   (NannyML), and a GBDT domain classifier cross-validated by unit (ROC-AUC);
 * - prediction drift on the calibrated probability and on RUL;
 * - label-free estimated performance, and the realised figures when labels exist;
 * - life-stage matching (default for a run-to-failure reference): reference rows re-weighted to the
 *   current rows' cycle distribution, so wear is not reported as drift;
 * - chunks with NannyML bands from the reference chunked the same way.
 */
import { PrognosError } from '../../../shared/errors';
import {
  columnVerdict,
  resolveMethod,
  type ChunkSeries,
  type Chunking,
  type ColumnDrift,
  type DriftMethod,
  type DriftMethodChoice,
  type DriftReport,
  type DriftScores,
  type DriftThresholds,
  type PerformanceFigures,
} from '../../../shared/drift';
import { alertsOf, band, chunkRows, referenceChunks, type Chunks } from './chunks';
import { DEFAULT_DOMAIN_THRESHOLD, domainClassifierAuc } from './domain';
import { estimateChunks, estimatePerformance, realisedChunks, realisedPerformance } from './estimate';
import { lifeStages, lifeStageWeights, MATCH_BIN_CYCLES, MATCH_BIN_FRACTION, type MatchOptions, type SurvivalCondition } from './matching';
import { fitPca, reconstructionError } from './pca';
import type { DriftData } from './reference';
import { driftHistogram, sortedSample } from './stats';
import { SortedReference } from './sorted-reference';

export type DriftReportBody = Omit<DriftReport, 'reportId' | 'createdAt' | 'source' | 'current'>;

export interface DriftOptions {
  method: DriftMethodChoice;
  thresholds: DriftThresholds;
  datasetDriftShare: number;
  /** 'auto': matched when the reference runs to failure (a run's training units always do) */
  comparison: 'matched' | 'unmatched' | 'auto';
  /** default `DEFAULT_CHUNKING` */
  chunking?: Chunking;
  /** the run's alert threshold on the calibrated probability */
  threshold: number;
  seed: number;
  /**
   * What life stage matching compares: 'fraction' (of each unit's life) needs every unit's life, known
   * for run-to-failure data and with a RUL file; 'auto' (default) takes it when known, else the cycle.
   */
  lifeStage?: 'auto' | 'cycle' | 'fraction';
  /** domain-classifier AUC at which the data drift (default 0.6) */
  domainThreshold?: number;
  /** how the report names the reference (default: the run's training units) */
  referenceLabel?: string;
}

export interface DriftHooks {
  progress?(fraction: number, message: string): void;
  signal?: AbortSignal;
}

/**
 * 1,000 rows in (unit, cycle) order: on FD001 about a dozen reference chunks for the bands (each of a
 * few units, so the bands carry the unit-to-unit spread that a current chunk also shows), and a fixed
 * size, so a bundle can carry the reference bands of the default chunking.
 */
export const DEFAULT_CHUNKING: Chunking = Object.freeze({ by: 'rows', size: 1000 });

const HISTOGRAM_BINS = 30;
const PCA_VARIANCE_KEPT = 0.65;
/** a chunk with fewer rows gets no value (its statistics would be noise) */
const MIN_CHUNK_ROWS = 10;

function check(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new PrognosError('CANCELLED', 'Drift computation cancelled.');
}

function mean(x: ArrayLike<number>, w?: ArrayLike<number>): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    if (wi > 0 && Number.isFinite(x[i]!)) {
      s += wi * x[i]!;
      sw += wi;
    }
  }
  return sw > 0 ? s / sw : 0;
}

/** values at `rows` (float32 columns stay float32, which sorts faster) */
function subset(values: ArrayLike<number>, rows: Int32Array): Float64Array | Float32Array {
  const out = values instanceof Float32Array ? new Float32Array(rows.length) : new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

/** The life stage of every row of both sides, and the bins matching uses. */
interface Stage {
  reference: Float64Array;
  current: Float64Array;
  options: MatchOptions;
  condition?: SurvivalCondition;
}

/** Per row: the cycles its unit is known to run on (its last cycle seen − the row's cycle). */
function survivesOf(d: DriftData): Float64Array {
  const groups = groupsOf(d);
  const last = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) last.set(groups[i]!, Math.max(last.get(groups[i]!) ?? 0, d.cycle[i]!));
  return Float64Array.from(d.cycle, (c, i) => last.get(groups[i]!)! - c);
}

interface Column {
  name: string;
  kind: 'feature' | 'sensor';
  ref: Float32Array;
  cur: Float32Array;
}

function countFinite(x: ArrayLike<number>, w?: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!) && (w === undefined || w[i]! > 0)) n++;
  return n;
}

function columnDrift(c: Column, ref: SortedReference, weights: Float64Array | undefined, refN: number, opts: DriftOptions): ColumnDrift {
  const curSample = sortedSample(c.cur);
  const curN = countFinite(c.cur);
  const { scores, reference: refSample } = ref.scores(curSample, weights);
  const method = resolveMethod(opts.method, refN, curN);
  const v = columnVerdict(scores, method, opts.thresholds);
  return {
    name: c.name,
    kind: c.kind,
    method,
    score: v.score,
    threshold: v.threshold,
    ...(v.pValue === undefined ? {} : { pValue: v.pValue }),
    drifted: v.drifted,
    scores,
    referenceN: refN,
    currentN: curN,
    reference: { mean: finite(refSample.mean), std: finite(refSample.std) },
    current: { mean: finite(curSample.mean), std: finite(curSample.std) },
    histogram: driftHistogram(refSample, curSample, HISTOGRAM_BINS),
  };
}

const finite = (x: number): number => (Number.isFinite(x) ? x : 0);

/** The effect size a chunk series plots for a method (for KS its statistic D: the p-value shrinks with the chunk size). */
function effectOf(s: DriftScores, m: DriftMethod): number {
  return m === 'ks' ? s.ks : s[m];
}

/**
 * The engine (group) of each row: its unit id. Import batches of one fleet carry later cycles of the
 * same engines under the same ids, so rows of one id stay one group across batches (for the domain
 * classifier's folds, a group split in two would let it recognise an engine on both sides of a fold).
 */
function groupsOf(d: DriftData): Int32Array {
  return d.unit;
}

export async function computeDrift(reference: DriftData, current: DriftData, options: DriftOptions, hooks: DriftHooks = {}): Promise<DriftReportBody> {
  const progress = (f: number, m: string): void => hooks.progress?.(f, m);
  const nRef = reference.unit.length;
  const nCur = current.unit.length;
  if (nRef === 0) throw new PrognosError('INVALID_INPUT', 'The reference has no rows with a full history window.');
  if (nCur === 0) throw new PrognosError('INVALID_INPUT', 'The current data has no rows with a full history window.');
  if (reference.columns.length !== current.columns.length || reference.columns.some((c, j) => c.name !== current.columns[j]!.name)) {
    throw new PrognosError('INVALID_INPUT', 'The reference and the current data do not have the same columns.');
  }
  const notes: string[] = [];
  const comparison = options.comparison === 'auto' ? (reference.runToFailure === true ? 'matched' : 'unmatched') : options.comparison;

  // ---- life-stage matching ----
  const byFraction = options.lifeStage !== 'cycle' && reference.life !== undefined && current.life !== undefined;
  // engines in service (lives unknown): compared with reference engines at the same cycle that ran on at least as long as they are known to
  const condition: SurvivalCondition | undefined =
    byFraction || reference.life === undefined ? undefined : { referenceRemaining: Float64Array.from(reference.life, (l, i) => l - reference.cycle[i]!), currentSurvives: survivesOf(current) };
  const stage: Stage = {
    reference: lifeStages(reference.cycle, byFraction ? reference.life : undefined),
    current: lifeStages(current.cycle, byFraction ? current.life : undefined),
    options: { binWidth: byFraction ? MATCH_BIN_FRACTION : MATCH_BIN_CYCLES },
    ...(condition === undefined ? {} : { condition }),
  };
  let weights: Float64Array | undefined;
  if (comparison === 'matched') {
    const m = lifeStageWeights(stage.reference, stage.current, undefined, stage.options, stage.condition);
    if (m.matched) {
      weights = m.weights;
      const how = byFraction
        ? `their share of life used follows the current rows' (bins of ${100 * MATCH_BIN_FRACTION} % of each unit's life, known for every current unit)`
        : `their cycles follow the current rows' (${MATCH_BIN_CYCLES}-cycle bins; the current units' lives are not known, so the cycle is their life stage)${condition === undefined ? '' : ', and each current row is compared only with reference engines that ran on past that cycle at least as long as the current engine is known to have (its last cycle seen), so engines still in service are not set beside reference engines about to fail'}`;
      notes.push(
        `Life-stage matched: the reference rows were re-weighted so ${how}. Wear that the reference engines also showed at the same life stage is not reported as drift; a sensor offset or a new operating regime still is. The weighted reference counts as ${Math.round(m.effectiveN).toLocaleString('en-US')} rows (of ${nRef.toLocaleString('en-US')}). Wasserstein distances are divided by the whole reference's standard deviation, as unmatched ones are.`,
      );
      if (options.lifeStage === 'fraction' && !byFraction) notes.push('Matching by the fraction of life was asked for, but the current units\' lives are not known (no RUL file); they were matched by cycle.');
      if (m.movedShare > 0) {
        notes.push(
          `${(100 * m.movedShare).toFixed(1)} % of the current rows are at life stages where the reference has too few rows (older engines than the reference had, or sparse bins); they are compared with the nearest stage the reference covers.`,
        );
      }
    } else {
      notes.push('Life-stage matching was asked for, but no life-stage bin of the reference has enough rows; the comparison is unmatched.');
    }
  } else {
    notes.push(
      reference.runToFailure === true
        ? 'Unmatched: every reference row counts the same, whatever its life stage; current data at other life stages than the run-to-failure reference will show wear as drift (life-stage matching avoids that).'
        : 'Unmatched: every reference row counts the same.',
    );
  }
  const refWeightedN = weights === undefined ? nRef : countFinite(weights, weights);

  // ---- univariate ----
  progress(0.02, 'Comparing every feature and sensor…');
  const columns: Column[] = reference.columns.map((c, j) => ({ name: c.name, kind: c.kind, ref: c.values, cur: current.columns[j]!.values }));
  const sortedRefs = columns.map((c) => new SortedReference(c.ref));
  const features: ColumnDrift[] = [];
  const sensors: ColumnDrift[] = [];
  columns.forEach((c, j) => {
    check(hooks.signal);
    const refN = countFinite(c.ref, weights);
    const d = columnDrift(c, sortedRefs[j]!, weights, refN, options);
    (c.kind === 'feature' ? features : sensors).push(d);
  });
  const drifted = features.filter((f) => f.drifted).length;
  const driftedShare = features.length === 0 ? 0 : drifted / features.length;
  const datasetDrift = features.length > 0 && driftedShare >= options.datasetDriftShare;
  if (Math.min(refWeightedN, nCur) <= 1000 && options.method === 'auto') {
    notes.push('A sample of 1,000 rows or fewer: the columns were judged by the KS test (p < threshold), as Evidently does for small samples.');
  }

  // ---- prediction drift (its 'auto' method resolved on the report's row counts, as applyDriftRule re-reads it) ----
  const predRef = new SortedReference(reference.probability);
  const predictionColumn = columnDrift({ name: 'probability', kind: 'feature', ref: reference.probability, cur: current.probability }, predRef, weights, nRef, options);
  const rulRef = reference.rul !== undefined && current.rul !== undefined ? new SortedReference(reference.rul) : undefined;
  const rulColumn =
    rulRef === undefined ? undefined : columnDrift({ name: 'rul', kind: 'feature', ref: reference.rul!, cur: current.rul! }, rulRef, weights, nRef, options);

  // ---- multivariate: PCA reconstruction error ----
  progress(0.2, 'Reconstruction error against the reference’s principal components…');
  check(hooks.signal);
  const mvRef = columns.filter((c) => c.kind === 'feature');
  const mvCols = mvRef.length > 0 ? mvRef : columns;
  const pca = fitPca(
    mvCols.map((c) => c.ref),
    undefined,
    { varianceKept: PCA_VARIANCE_KEPT },
  );
  const pcaErrRef = reconstructionError(
    pca,
    mvCols.map((c) => c.ref),
  );
  const pcaErrCur = reconstructionError(
    pca,
    mvCols.map((c) => c.cur),
  );

  // ---- chunks (and the PCA band, which comes from the reference chunks) ----
  progress(0.3, 'Chunks and their bands from the reference…');
  const chunking = options.chunking ?? DEFAULT_CHUNKING;
  const curChunks = chunkRows(current.cycle, chunking, current.batch);
  const refChunks = referenceChunks(reference.cycle, chunking, curChunks);
  const pcaRefChunkValues = refChunks.rows.map((r) => mean(subset(pcaErrRef, r)));
  const pcaBand = band(pcaRefChunkValues);
  const pcaReference = mean(pcaErrRef, weights);
  const pcaCurrent = mean(pcaErrCur);
  const pcaUpper = pcaBand.upper ?? pcaReference;
  const series = chunkSeries(reference, current, columns, sortedRefs, predRef, rulRef, curChunks, refChunks, { pcaErrRef, pcaErrCur }, weights === undefined ? undefined : stage, options, hooks);

  // ---- multivariate: domain classifier ----
  progress(0.6, 'Domain classifier (GBDT, cross-validated by unit)…');
  check(hooks.signal);
  const domain = await domainClassifierAuc({
    reference: mvCols.map((c) => c.ref),
    current: mvCols.map((c) => c.cur),
    referenceGroup: reference.unit,
    currentGroup: groupsOf(current),
    ...(weights === undefined ? {} : { referenceWeights: weights }),
    seed: options.seed,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
  });
  if (!domain.crossValidated) notes.push('The domain classifier needs at least two units on each side; its score is 0.5 (no evidence either way).');
  const domainThreshold = options.domainThreshold ?? DEFAULT_DOMAIN_THRESHOLD;

  // ---- performance ----
  progress(0.9, 'Estimating performance…');
  const estimated = estimatePerformance(current.probability, options.threshold, { seed: options.seed, units: groupsOf(current) });
  const realised: PerformanceFigures | undefined = current.labels === undefined ? undefined : realisedPerformance(current.probability, current.labels, options.threshold);
  if (current.labels === undefined) notes.push('No labels: performance is estimated from the calibrated probabilities alone.');

  const units = (u: Int32Array): number => new Set(u).size;
  progress(1, 'Done.');
  return {
    reference: { rows: nRef, units: units(reference.unit), label: options.referenceLabel ?? 'the run’s training units' },
    comparison,
    method: options.method,
    thresholds: options.thresholds,
    datasetDriftShare: options.datasetDriftShare,
    datasetDrift,
    driftedShare,
    features,
    sensors,
    multivariate: {
      pca: pcaCurrent,
      pcaReference,
      pcaUpper,
      pcaDrifted: pcaCurrent > pcaUpper,
      components: pca.k,
      domainAuc: domain.auc,
      domainThreshold,
      domainDrifted: domain.auc >= domainThreshold,
    },
    prediction: {
      method: predictionColumn.method,
      score: predictionColumn.score,
      threshold: predictionColumn.threshold,
      drifted: predictionColumn.drifted,
      scores: predictionColumn.scores,
      histogram: predictionColumn.histogram,
      ...(rulColumn === undefined
        ? {}
        : { rul: { method: rulColumn.method, score: rulColumn.score, threshold: rulColumn.threshold, drifted: rulColumn.drifted, scores: rulColumn.scores, histogram: rulColumn.histogram } }),
    },
    estimated,
    ...(realised === undefined ? {} : { realised }),
    chunking: { ...chunking },
    chunks: { labels: curChunks.labels, rows: curChunks.rows.map((r) => r.length), series },
    notes,
  };
}

/**
 * Every monitored statistic per chunk, with its band from the reference chunks (mean ± 3 sd). Under
 * matching each chunk (current or reference) is compared with the reference re-weighted to that
 * chunk's own life stage.
 */
function chunkSeries(
  reference: DriftData,
  current: DriftData,
  columns: readonly Column[],
  sortedRefs: readonly SortedReference[],
  predRef: SortedReference,
  rulRef: SortedReference | undefined,
  curChunks: Chunks,
  refChunks: Chunks,
  pca: { pcaErrRef: Float64Array; pcaErrCur: Float64Array },
  stage: Stage | undefined,
  options: DriftOptions,
  hooks: DriftHooks,
): ChunkSeries[] {
  const sizes = curChunks.rows.map((r) => r.length).sort((a, b) => a - b);
  const typical = sizes[Math.floor((sizes.length - 1) / 2)] ?? 0;
  const method = resolveMethod(options.method, reference.unit.length, typical);
  // a reference chunk runs to failure like the reference: matched by stage alone
  const weightsFor = (side: Float64Array, rows: Int32Array, condition?: SurvivalCondition): Float64Array | undefined =>
    stage === undefined ? undefined : lifeStageWeights(stage.reference, side, rows, stage.options, condition).weights;
  const curWeights = curChunks.rows.map((r) => (r.length >= MIN_CHUNK_ROWS && stage !== undefined ? weightsFor(stage.current, r, stage.condition) : undefined));
  const refWeights = refChunks.rows.map((r) => (r.length >= MIN_CHUNK_ROWS && stage !== undefined ? weightsFor(stage.reference, r) : undefined));

  const score = (ref: SortedReference, w: Float64Array | undefined, values: ArrayLike<number>, rows: Int32Array): number | null => {
    if (rows.length < MIN_CHUNK_ROWS) return null;
    return finite(effectOf(ref.scores(sortedSample(subset(values, rows)), w).scores, method));
  };
  const out: ChunkSeries[] = [];
  const push = (key: string, label: string, group: ChunkSeries['group'], values: (number | null)[], refValues: (number | null)[], extra: Partial<ChunkSeries> = {}): void => {
    const full = band(refValues);
    // performance only alerts when it falls: a chunk doing better than the reference is no alarm
    const b = group === 'performance' ? { lower: full.lower, upper: null } : full;
    out.push({ key, label, group, values, lower: b.lower, upper: full.upper, alerts: alertsOf(values, b), ...extra });
  };
  const drift = (key: string, label: string, group: ChunkSeries['group'], ref: SortedReference, refValues: ArrayLike<number>, curValues: ArrayLike<number>): void => {
    check(hooks.signal);
    push(
      key,
      label,
      group,
      curChunks.rows.map((r, k) => score(ref, curWeights[k], curValues, r)),
      refChunks.rows.map((r, k) => score(ref, refWeights[k], refValues, r)),
    );
  };

  columns.forEach((c, j) => {
    if (c.kind === 'feature') drift(`feature:${c.name}`, `${c.name} (${method})`, 'feature', sortedRefs[j]!, c.ref, c.cur);
    hooks.progress?.(0.3 + (0.25 * (j + 1)) / columns.length, 'Chunks and their bands from the reference…');
  });
  push(
    'pca',
    'PCA reconstruction error',
    'multivariate',
    curChunks.rows.map((r) => (r.length < MIN_CHUNK_ROWS ? null : mean(subset(pca.pcaErrCur, r)))),
    refChunks.rows.map((r) => (r.length < MIN_CHUNK_ROWS ? null : mean(subset(pca.pcaErrRef, r)))),
  );
  drift('prediction', `probability (${method})`, 'prediction', predRef, reference.probability, current.probability);
  if (rulRef !== undefined && reference.rul !== undefined && current.rul !== undefined) drift('rul', `RUL (${method})`, 'prediction', rulRef, reference.rul, current.rul);

  // estimated performance per chunk (labels drawn per unit), its confidence band, the realised figure when labelled; the alert band from the reference chunks' estimates
  const chunkIndex = new Int32Array(current.unit.length);
  curChunks.rows.forEach((r, k) => {
    for (const i of r) chunkIndex[i] = k;
  });
  const small = curChunks.rows.map((r) => r.length < MIN_CHUNK_ROWS);
  const curGroups = groupsOf(current);
  const est = estimateChunks(current.probability, chunkIndex, curChunks.rows.length, options.threshold, { seed: options.seed, units: curGroups }).map((e, k) => (small[k] ? null : e));
  const refEst = refChunks.rows.map((r, k) =>
    r.length < MIN_CHUNK_ROWS ? null : estimatePerformance(subset(reference.probability, r), options.threshold, { seed: options.seed + 7919 * (k + 1), units: subset(reference.unit, r) }),
  );
  const real =
    current.labels === undefined ? undefined : realisedChunks(current.probability, current.labels, chunkIndex, curChunks.rows.length, options.threshold).map((p, k) => (small[k] ? null : p));
  for (const [m, label] of [
    ['f2', 'estimated F2'],
    ['precision', 'estimated precision'],
    ['recall', 'estimated recall'],
    ['rocAuc', 'estimated ROC-AUC'],
  ] as const) {
    push(
      `estimated:${m}`,
      label,
      'performance',
      est.map((e) => e?.[m] ?? null),
      refEst.map((e) => e?.[m] ?? null),
      {
        bandLow: est.map((e) => e?.low[m] ?? null),
        bandHigh: est.map((e) => e?.high[m] ?? null),
        ...(real === undefined ? {} : { realised: real.map((p) => p?.[m] ?? null) }),
      },
    );
  }
  return out;
}
