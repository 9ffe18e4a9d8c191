/**
 * RUL models for the export tests: the regression GBDT of a synthetic run's RUL stage, an LSTM RUL
 * head of random Keras-layout weights, conformal-style interval bins whose edges split the
 * fleet's predictions, and the in-app reference of what a bundle with them must output.
 */
import { unitSpans, type FleetTable } from '../../src/main/core/data/table';
import type { BundleInput } from '../../src/main/core/export/bundle';
import type { PipelineRul } from '../../src/main/core/export/pipeline-onnx';
import { rulBounds } from '../../src/main/core/export/rul-onnx';
import { engineerFeatures } from '../../src/main/core/features/engineer';
import type { RulOutcome } from '../../src/main/core/rul/train-rul';
import type { RulInterval } from '../../src/main/core/rul/types';
import { StandardScaler } from '../../src/main/core/split';
import { buildWindows } from '../../src/main/core/windows';
import { lstmReferenceBatch, randomLstmWeights } from './onnx-reference';

export interface RulReference {
  units: number[];
  gbdt: Float64Array;
  lstm?: Float64Array;
  rul: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

/** What a bundle with `rul` must output for each unit's last row, computed without ONNX. */
export function rulReference(table: FleetTable, input: BundleInput, rul: PipelineRul): RulReference {
  const state = input.featureState;
  const f = engineerFeatures(table, state.spec, { state });
  const col = (n: string): Float32Array => f.columns[f.names.indexOf(n)]!;
  const spans = unitSpans(table);
  const last = Int32Array.from(spans, (s) => s.end - 1);
  const gCols = rul.gbdt.featureNames.map((n) => Float32Array.from(last, (r) => col(n)[r]!));
  const gbdt = rul.gbdt.predictValue(gCols, last.length);
  let lstm: Float64Array | undefined;
  if (rul.lstm !== undefined) {
    const names = [...(input.lstmFeatures ?? input.scaler!.names)];
    const scaler = StandardScaler.fromJSON(input.scaler!);
    const ordered = names.map((n) => {
      const i = scaler.names.indexOf(n);
      return Float32Array.from(col(n), (x) => (x - scaler.mean[i]!) / scaler.std[i]!);
    });
    const w = buildWindows(ordered, table, last, input.windowLength);
    lstm = lstmReferenceBatch(rul.lstm, w.data, w.n, input.windowLength, names.length);
  }
  const value = gbdt.map((g, k) => (lstm === undefined ? g : rul.weight * g + (1 - rul.weight) * rul.cap * lstm[k]!));
  const bounds = Array.from(value, (v) => rulBounds(rul.interval, v));
  return {
    units: spans.map((s) => s.unit),
    gbdt,
    ...(lstm === undefined ? {} : { lstm }),
    rul: value,
    low: Float64Array.from(bounds, (b) => b.low),
    high: Float64Array.from(bounds, (b) => b.high),
  };
}

/** Three bins whose edges sit between the fleet's predicted RULs, so every bin is used. */
export function splittingInterval(values: ArrayLike<number>): RulInterval {
  const sorted = [...new Set(Array.from(values, (v) => Math.fround(v)))].sort((a, b) => a - b);
  if (sorted.length < 4) throw new Error(`the fixture needs at least 4 distinct predictions, got ${sorted.length}`);
  const mid = (q: number): number => {
    const i = Math.floor(q * (sorted.length - 1));
    return (sorted[i]! + sorted[i + 1]!) / 2;
  };
  return {
    method: 'conformal',
    coverage: 0.9,
    bins: [
      { upTo: mid(1 / 3), low: -7.5, high: 9.25 },
      { upTo: mid(2 / 3), low: -14, high: 18.5 },
      { upTo: null, low: -26, high: 31 },
    ],
  };
}

/**
 * RUL models for a synthetic run: the regression GBDT its RUL stage trained, an LSTM head of random
 * weights when the bundle has an LSTM (as syntheticRun's classifier LSTM), and interval bins that
 * split `table`'s predictions (so every bin is exercised).
 */
export function rulFor(table: FleetTable, input: BundleInput, stage: RulOutcome | undefined, opts: { lstm?: boolean; weight?: number } = {}): PipelineRul {
  if (stage === undefined) throw new Error('the synthetic run trained no RUL stage');
  const gbdt = stage.gbdt;
  const withLstm = opts.lstm !== false && input.lstm !== undefined;
  const lstm = withLstm ? randomLstmWeights((input.lstmFeatures ?? input.scaler!.names).length, 6, 5, 3, 41) : undefined;
  const base = { cap: stage.cap, weight: withLstm ? (opts.weight ?? 0.55) : 1, gbdt, ...(lstm === undefined ? {} : { lstm }) };
  const provisional = rulReference(table, input, { ...base, interval: { method: 'conformal', coverage: 0.9, bins: [{ upTo: null, low: 0, high: 0 }] } });
  return { ...base, interval: splittingInterval(provisional.rul) };
}
