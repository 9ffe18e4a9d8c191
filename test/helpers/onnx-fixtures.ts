/**
 * Shared pieces of the export tests: the in-app reference scores of a bundle's models, pipeline
 * feeds built from a fleet table, truncated fleets, and python3-onnx's checker.
 */
import { synthesizeFleet } from '../../src/main/core/data/synth';
import { unitSpans, type FleetTable } from '../../src/main/core/data/table';
import type { BundleInput } from '../../src/main/core/export/bundle';
import type { LstmMembers } from '../../src/main/core/export/lstm-onnx';
import { engineerFeatures, type FeatureState } from '../../src/main/core/features/engineer';
import type { GbdtModel } from '../../src/main/core/models/gbdt';
import { parseTrainConfig, type TrainConfigInput } from '../../src/main/core/pipeline/config';
import { runTrainingPipeline } from '../../src/main/core/pipeline/train';
import type { RulOutcome } from '../../src/main/core/rul/train-rul';
import { rowMaskFor, StandardScaler, type ScalerParams } from '../../src/main/core/split';
import { buildWindows } from '../../src/main/core/windows';
import { lstmReferenceBatch, randomLstmWeights } from './onnx-reference';
import { runPythonJson } from './python';

export interface ReferenceScores {
  units: number[];
  cycles: number[];
  /** GBDT features at each unit's last row, [unit][feature] */
  features: Float32Array[];
  gbdt: Float64Array;
  lstm?: Float64Array;
  probability: Float64Array;
}

/** What the workbench computes for each unit's last row: TypeScript features, GbdtModel, reference LSTM. */
export function referenceScores(
  table: FleetTable,
  m: { featureState: FeatureState; gbdt: GbdtModel; scaler?: ScalerParams; lstm?: LstmMembers; lstmFeatures?: readonly string[]; weight: number; window: number },
): ReferenceScores {
  const f = engineerFeatures(table, m.featureState.spec, { state: m.featureState });
  const col = (n: string): Float32Array => f.columns[f.names.indexOf(n)]!;
  const spans = unitSpans(table);
  const last = Int32Array.from(spans, (s) => s.end - 1);
  const gCols = m.gbdt.featureNames.map((n) => Float32Array.from(last, (r) => col(n)[r]!));
  const gbdt = m.gbdt.predictProba(gCols, last.length);
  const features = spans.map((_, k) => Float32Array.from(gCols, (c) => c[k]!));
  const base = { units: spans.map((s) => s.unit), cycles: Array.from(last, (r) => table.cycle[r]!), features, gbdt };
  if (m.lstm === undefined) return { ...base, probability: gbdt.slice() };
  const names = [...(m.lstmFeatures ?? m.scaler!.names)];
  const scaler = StandardScaler.fromJSON(m.scaler!);
  const ordered = names.map((n) => {
    const i = scaler.names.indexOf(n);
    return Float32Array.from(col(n), (x) => (x - scaler.mean[i]!) / scaler.std[i]!);
  });
  const w = buildWindows(ordered, table, last, m.window);
  const lstm = lstmReferenceBatch(m.lstm, w.data, w.n, m.window, names.length);
  const probability = gbdt.map((g, k) => m.weight * g + (1 - m.weight) * lstm[k]!);
  return { ...base, lstm, probability };
}

export interface PipelineFeeds {
  history: Float64Array;
  cycles: Float64Array;
  valid: BigInt64Array;
  n: number;
  T: number;
  C: number;
}

/** Right-aligned histories of every unit; `T` defaults to the longest unit, longer units keep their last T rows. */
export function pipelineFeeds(table: FleetTable, columns: readonly string[], T?: number, pad = 0): PipelineFeeds {
  const spans = unitSpans(table);
  const rows = T ?? spans.reduce((a, s) => Math.max(a, s.end - s.start), 0);
  const C = columns.length;
  const src = columns.map((name) => table.values[table.columns.findIndex((c) => c.name === name)]!);
  const n = spans.length;
  const history = new Float64Array(n * rows * C).fill(pad);
  const cycles = new Float64Array(n * rows).fill(pad);
  const valid = new BigInt64Array(n);
  spans.forEach((s, k) => {
    const len = Math.min(rows, s.end - s.start);
    valid[k] = BigInt(len);
    for (let r = 0; r < len; r++) {
      const i = s.end - len + r;
      const at = k * rows + rows - len + r;
      cycles[at] = table.cycle[i]!;
      for (let c = 0; c < C; c++) history[at * C + c] = src[c]![i]!;
    }
  });
  return { history, cycles, valid, n, T: rows, C };
}

/** The first `lengthOf(unit, rows)` rows of every unit (units mapped to 0 rows are dropped). */
export function truncateUnits(table: FleetTable, lengthOf: (unit: number, rows: number) => number): FleetTable {
  const keep: number[] = [];
  for (const s of unitSpans(table)) {
    const len = Math.min(s.end - s.start, lengthOf(s.unit, s.end - s.start));
    for (let i = s.start; i < s.start + len; i++) keep.push(i);
  }
  const idx = Int32Array.from(keep);
  return {
    rowCount: idx.length,
    unit: Int32Array.from(idx, (i) => table.unit[i]!),
    cycle: Int32Array.from(idx, (i) => table.cycle[i]!),
    columns: table.columns,
    values: table.values.map((v) => Float64Array.from(idx, (i) => v[i]!)),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A minimal complete BundleInput around a model, for tests that care about the bundle, not the numbers. */
export function testBundleInput(parts: Pick<BundleInput, 'featureState' | 'gbdt' | 'columns'> & Partial<BundleInput>): BundleInput {
  return {
    runId: 'run-test',
    appVersion: '0.0.0-test',
    created: '2025-01-02T03:04:05.000Z',
    datasetFingerprint: 'f'.repeat(64),
    labelWindow: 30,
    windowLength: 30,
    selected: [...parts.gbdt.featureNames],
    weight: 1,
    threshold: 0.4,
    metrics: {},
    backend: 'test',
    seed: 1,
    ...parts,
  };
}

/** onnx.checker.check_model(full_check=True) of each file; returns file → 'ok' or the error. */
export function onnxCheck(files: readonly string[]): Record<string, string> {
  return runPythonJson<Record<string, string>>(
    String.raw`
import json, sys
import onnx
out = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        out[path] = 'ok'
    except Exception as e:
        out[path] = '%s: %s' % (type(e).__name__, e)
print(json.dumps(out))
`,
    { args: [...files] },
  );
}

export interface SyntheticRun {
  table: FleetTable;
  input: BundleInput;
  /** the run's RUL stage (regression GBDT, cap, conformal interval), when it trained one */
  rul?: RulOutcome;
}

/**
 * A small trained run on a synthetic fleet, with an LSTM of random Keras-layout weights and a scaler
 * fitted on the training units: enough to exercise every bundle file quickly. With `rul`, the run's
 * RUL stage too (its regression GBDT, cap and interval in `rul`).
 */
export async function syntheticRun(opts: { units?: number; seed?: number; regimes?: 1 | 6; lstm?: boolean; rul?: boolean; config?: TrainConfigInput } = {}): Promise<SyntheticRun> {
  const table = synthesizeFleet({ units: opts.units ?? 12, seed: opts.seed ?? 3, regimes: opts.regimes ?? 1 });
  const config = parseTrainConfig({
    seed: opts.seed ?? 3,
    features: { windows: [5, 10] },
    topK: 10,
    rankWithGain: false,
    gbdt: { nEstimators: 15, maxDepth: 3, earlyStoppingRounds: 0 },
    // the RUL stage only where a test asks for it (it trains more models)
    rul: { enabled: opts.rul === true },
    ...opts.config,
  });
  const r = await runTrainingPipeline(table, config);
  const base = testBundleInput({
    featureState: r.featureState,
    gbdt: r.gbdt,
    columns: table.columns,
    threshold: r.threshold,
    metrics: r.metrics,
    labelWindow: config.labelWindow,
    windowLength: config.historyWindow,
    seed: config.seed,
    units: { train: r.split.train.length, validation: r.split.validation.length, test: r.split.test.length },
  });
  const rul = r.rul === undefined ? {} : { rul: r.rul };
  if (opts.lstm === false) return { table, input: base, ...rul };
  const f = engineerFeatures(table, r.featureState.spec, { state: r.featureState });
  const scaler = StandardScaler.fit(r.selected, r.selected.map((n) => f.columns[f.names.indexOf(n)]!), rowMaskFor(table, r.split.train));
  return {
    table,
    input: { ...base, scaler: scaler.toJSON(), lstm: randomLstmWeights(r.selected.length, 8, 6, 4, (opts.seed ?? 3) + 100), weight: 0.6 },
    ...rul,
  };
}
