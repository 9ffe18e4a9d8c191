/**
 * Remaining useful life in ONNX: the regression GBDT as an ai.onnx.ml TreeEnsembleRegressor, and the
 * RUL ensemble with its conformal interval as plain operators (used by models/gbdt-rul.onnx and by
 * models/pipeline.onnx).
 *
 * The regression trees are gbdt-onnx.ts' TreeEnsembleRegressor (post_transform NONE, base_values =
 * the base score), so the output is the value the in-app model accumulates (float32).
 *
 * Ensemble and interval, in float32 as the graph computes them:
 *   rul      = w·rul_gbdt + ((1 − w)·cap)·σ_lstm      (rul = rul_gbdt without an LSTM head)
 *   bin      = #(edges e with rul ≥ e)                 (bins ascending by `upTo`; a bin holds rul < upTo)
 *   rul_low  = max(0, rul + low[bin]),  rul_high = rul + high[bin]
 * `rulEnsemble` and `rulBounds` compute exactly the same numbers in TypeScript.
 */
import { PrognosError } from '../../../shared/errors';
import type { GbdtModel } from '../models/gbdt';
import type { RulInterval } from '../rul/types';
import { GBDT_INPUT, GBDT_VALUE, gbdtToOnnx } from './gbdt-onnx';
import { type GraphBuilder, attr, DataType } from './onnx';

export const GBDT_RUL_INPUT = GBDT_INPUT;
export const GBDT_RUL_OUTPUT = GBDT_VALUE;

/** The RUL models of a run as a bundle carries them. */
export interface RulSpec {
  /** target cap (the piecewise-linear knee), cycles */
  readonly cap: number;
  /** weight of the GBDT in the RUL ensemble; 1 without an LSTM head */
  readonly weight: number;
  readonly interval: RulInterval;
}

function invalid(message: string): never {
  throw new PrognosError('INVALID_INPUT', `RUL model: ${message}`);
}

/** Checks cap, weight and interval bins (ascending edges, the last open, low ≤ 0 ≤ high, finite). */
export function checkRulSpec(spec: RulSpec, hasLstm: boolean): void {
  if (!(Number.isFinite(spec.cap) && spec.cap > 0)) invalid(`cap ${spec.cap} is not a positive number`);
  if (!(spec.weight >= 0 && spec.weight <= 1)) invalid(`ensemble weight ${spec.weight} is not in [0, 1]`);
  if (!hasLstm && spec.weight !== 1) invalid(`ensemble weight ${spec.weight} given, but there is no LSTM head (it must be 1)`);
  const bins = spec.interval.bins;
  if (bins.length === 0) invalid('the interval has no bins');
  bins.forEach((b, i) => {
    const last = i === bins.length - 1;
    if (last !== (b.upTo === null)) invalid(`interval bin ${i}: only the last bin has no upper edge`);
    if (b.upTo !== null && !Number.isFinite(b.upTo)) invalid(`interval bin ${i}: upper edge ${b.upTo} is not finite`);
    if (i > 0 && b.upTo !== null && !(b.upTo > bins[i - 1]!.upTo!)) invalid(`interval bin ${i}: upper edges must increase`);
    if (!(Number.isFinite(b.low) && Number.isFinite(b.high) && b.low <= 0 && b.high >= 0)) {
      invalid(`interval bin ${i}: needs finite low ≤ 0 ≤ high, got low ${b.low}, high ${b.high}`);
    }
  });
  if (!(spec.interval.coverage > 0 && spec.interval.coverage < 1)) invalid(`interval coverage ${spec.interval.coverage} is not in (0, 1)`);
}

const f32 = Math.fround;

/** RUL of the ensemble from the model outputs (float32 values), in float32 as pipeline.onnx computes it. */
export function rulEnsemble(spec: RulSpec, gbdt: number, lstm?: number): number {
  if (lstm === undefined) return f32(gbdt);
  return f32(f32(f32(gbdt) * f32(spec.weight)) + f32(f32(lstm) * f32((1 - spec.weight) * spec.cap)));
}

/** The interval around a predicted RUL: its bin's offsets, the lower end at least 0 (float32). */
export function rulBounds(interval: RulInterval, rul: number): { low: number; high: number } {
  const r = f32(rul);
  let bin = 0;
  for (const b of interval.bins) if (b.upTo !== null && r >= f32(b.upTo)) bin++;
  const { low, high } = interval.bins[Math.min(bin, interval.bins.length - 1)]!;
  return { low: Math.max(0, f32(r + f32(low))), high: f32(r + f32(high)) };
}

export interface RulOnnxOptions {
  readonly producerVersion?: string;
}

/** The RUL GBDT alone (gbdtToOnnx of a reg:squarederror model): input `features` float [N, F], output `value` float [N, 1] in cycles. */
export function gbdtRulToOnnx(model: GbdtModel, opts: RulOnnxOptions = {}): Uint8Array {
  if (!model.isRegression) invalid(`the RUL GBDT must be a reg:squarederror model, not ${model.objective}`);
  return gbdtToOnnx(model, opts);
}

export interface RulOutputs {
  readonly rul: string;
  readonly low: string;
  readonly high: string;
}

/**
 * Adds the RUL ensemble and interval: `gbdt` float [N, 1] in cycles, `lstm` float [N, 1] = RUL / cap
 * (optional); writes float [N] outputs named `names`.
 */
export function addRulEnsemble(b: GraphBuilder, gbdt: string, lstm: string | undefined, spec: RulSpec, names: RulOutputs): void {
  const axes = b.i64('rul_axes', [1], [1]);
  const g = b.node('Squeeze', [gbdt, axes], [], { hint: 'rul_gbdt_n' });
  if (lstm === undefined) b.node('Identity', [g], [], { outputs: [names.rul] });
  else {
    const l = b.node('Squeeze', [lstm, axes], [], { hint: 'rul_lstm_n' });
    const wG = b.node('Mul', [g, b.f32('rul_w', [], [spec.weight])]);
    const wL = b.node('Mul', [l, b.f32('rul_lstm_scale', [], [(1 - spec.weight) * spec.cap])]);
    b.node('Add', [wG, wL], [], { outputs: [names.rul] });
  }
  const bins = spec.interval.bins;
  let low: string;
  if (bins.length === 1) {
    low = b.node('Add', [names.rul, b.f32('rul_low_offset', [], [bins[0]!.low])]);
    b.node('Add', [names.rul, b.f32('rul_high_offset', [], [bins[0]!.high])], [], { outputs: [names.high] });
  } else {
    const edges = bins.slice(0, -1).map((x) => x.upTo!);
    const col = b.node('Unsqueeze', [names.rul, axes], [], { hint: 'rul_col' });
    const above = b.node('GreaterOrEqual', [col, b.f32('rul_edges', [1, edges.length], edges)], [], { hint: 'rul_at_or_above_edge' });
    const ones = b.node('Cast', [above], [attr.int('to', DataType.INT64)]);
    const bin = b.node('ReduceSum', [ones, axes], [attr.int('keepdims', 0)], { hint: 'rul_bin' });
    const lowOff = b.node('Gather', [b.f32('rul_low_offsets', [bins.length], bins.map((x) => x.low)), bin], [attr.int('axis', 0)]);
    const highOff = b.node('Gather', [b.f32('rul_high_offsets', [bins.length], bins.map((x) => x.high)), bin], [attr.int('axis', 0)]);
    low = b.node('Add', [names.rul, lowOff]);
    b.node('Add', [names.rul, highOff], [], { outputs: [names.high] });
  }
  b.node('Max', [low, b.f32('rul_zero', [], [0])], [], { outputs: [names.low] });
}
