/**
 * pipeline.onnx: raw sensor history in, ensemble probability out. The feature engine
 * (feature-graph.ts) computes every feature the models use at the last `window` rows; the scaler
 * standardises them exactly as StandardScaler.transform does ((x − mean) / std in float64, stored as
 * float32); the GBDT reads the last row, the LSTM the whole window; P = w·P_gbdt + (1 − w)·P_lstm,
 * then the run's calibration of P (calibration-onnx.ts).
 */
import { PrognosError } from '../../../shared/errors';
import type { FeatureState } from '../features/engineer';
import type { GbdtModel } from '../models/gbdt';
import type { ScalerParams } from '../split';
import type { Calibration } from '../rul/types';
import { addCalibration } from './calibration-onnx';
import { addFeatureEngine, featureDefsFor, historyColumns, needsFullHistory, tailRowsFor } from './feature-graph';
import { addTreeEnsemble, addTreeEnsembleRegressor } from './gbdt-onnx';
import { addLstmAttention, lstmDims, type LstmMembers } from './lstm-onnx';
import { GraphBuilder, attr, DataType, encodeModel, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET, ONNX_ML_DOMAIN } from './onnx';
import { addRulEnsemble, checkRulSpec, type RulSpec } from './rul-onnx';

/** The RUL models in the pipeline: a regression GBDT and, optionally, the LSTM's fractional head. */
export interface PipelineRul extends RulSpec {
  /** regression GBDT on the same feature space as the classifier GBDT (`gbdtInput`) */
  readonly gbdt: GbdtModel;
  /** the sequence model's RUL head (σ output = RUL / cap): same window, features and scaler as `lstm` */
  readonly lstm?: LstmMembers;
}

/** Which feature values the GBDT was trained on. */
export type GbdtInputSpace = 'engineered' | 'scaled';

export interface PipelineSpec {
  readonly featureState: FeatureState;
  /** The GBDT; its feature names give its input order. */
  readonly gbdt: GbdtModel;
  /** 'engineered' (the training pipeline's choice): raw feature values; 'scaled': standardised ones. */
  readonly gbdtInput: GbdtInputSpace;
  /** Needed for an LSTM and for a GBDT on scaled features. */
  readonly scaler?: ScalerParams;
  readonly lstm?: LstmMembers;
  /** The LSTM's features in input order (default: the scaler's names). */
  readonly lstmFeatures?: readonly string[];
  /** Rows per sequence-model window. */
  readonly window: number;
  /** Ensemble weight of the GBDT (1 without an LSTM). */
  readonly weight: number;
  /** Calibration of the ensemble probability (none when absent). */
  readonly calibration?: Calibration;
  /** Remaining useful life: adds the outputs rul, rul_low and rul_high. */
  readonly rul?: PipelineRul;
}

export const PIPELINE_INPUTS = { history: 'history', cycles: 'cycles', valid: 'valid' } as const;
export const PIPELINE_OUTPUTS = {
  probability: 'probability',
  parts: 'parts',
  features: 'features',
  rul: 'rul',
  rulLow: 'rul_low',
  rulHigh: 'rul_high',
} as const;

/** What a caller of pipeline.onnx must send, derived from the spec. */
export interface PipelineContract {
  /** Columns of `history`, in order. */
  readonly historyColumns: string[];
  /** Rows of history the features of the last window need (window − 1 + longest reach). */
  readonly minHistoryRows: number;
  /** True when an EWMA feature is used: then every unit's whole history must be sent. */
  readonly requiresFullHistory: boolean;
  /** Rows the feature engine evaluates at (the sequence window, 1 without an LSTM). */
  readonly targetRows: number;
  /** Columns of `parts`. */
  readonly parts: string[];
  /** Columns of `features` (the GBDT's inputs before any scaling). */
  readonly features: string[];
  /** True when the graph also outputs rul, rul_low and rul_high. */
  readonly rul: boolean;
}

function lstmFeaturesOf(spec: PipelineSpec): string[] {
  if (spec.lstm === undefined) return [];
  if (spec.scaler === undefined) throw new PrognosError('INVALID_INPUT', 'an LSTM needs the scaler of its features');
  return [...(spec.lstmFeatures ?? spec.scaler.names)];
}

function neededFeatures(spec: PipelineSpec): string[] {
  return [...new Set([...spec.gbdt.featureNames, ...lstmFeaturesOf(spec), ...(spec.rul?.gbdt.featureNames ?? [])])];
}

export function pipelineContract(spec: PipelineSpec): PipelineContract {
  const targets = spec.lstm === undefined ? 1 : spec.window;
  const defs = featureDefsFor(spec.featureState, neededFeatures(spec));
  return {
    historyColumns: historyColumns(spec.featureState),
    minHistoryRows: tailRowsFor(defs, targets),
    requiresFullHistory: needsFullHistory(defs),
    targetRows: targets,
    parts: spec.lstm === undefined ? ['gbdt'] : ['gbdt', 'lstm'],
    features: [...spec.gbdt.featureNames],
    rul: spec.rul !== undefined,
  };
}

function scalerColumns(scaler: ScalerParams, names: readonly string[]): { mean: number[]; std: number[] } {
  const index = new Map(scaler.names.map((n, i) => [n, i]));
  const mean: number[] = [];
  const std: number[] = [];
  for (const n of names) {
    const i = index.get(n);
    if (i === undefined) throw new PrognosError('INVALID_INPUT', `the scaler has no parameters for feature "${n}"`);
    mean.push(scaler.mean[i]!);
    std.push(scaler.std[i]!);
  }
  return { mean, std };
}

/** (x − mean) / std in float64 on float32 features [..., F], cast back to float32. */
function addScaling(b: GraphBuilder, x: string, scaler: ScalerParams, names: readonly string[], hint: string): string {
  const { mean, std } = scalerColumns(scaler, names);
  const x64 = b.node('Cast', [x], [attr.int('to', DataType.DOUBLE)]);
  const z = b.node('Div', [b.node('Sub', [x64, b.f64(`${hint}_mean`, [names.length], mean)]), b.f64(`${hint}_std`, [names.length], std)]);
  return b.node('Cast', [z], [attr.int('to', DataType.FLOAT)], { hint });
}

export interface PipelineOnnxOptions {
  readonly producerVersion?: string;
}

/**
 * Inputs: `history` double [N, T, C] (columns = contract.historyColumns), `cycles` double [N, T],
 * `valid` int64 [N] (the last valid[n] rows are real, 1 ≤ valid ≤ T; clamped into that range).
 * Outputs: `probability` float [N], `parts` float [N, P] (gbdt[, lstm]), `features` float [N, F]
 * (the engineered features at the last row, GBDT order).
 */
export function pipelineToOnnx(spec: PipelineSpec, opts: PipelineOnnxOptions = {}): Uint8Array {
  if (!(spec.weight >= 0 && spec.weight <= 1)) throw new PrognosError('INVALID_INPUT', `ensemble weight must be in [0, 1], got ${spec.weight}`);
  if (!Number.isInteger(spec.window) || spec.window < 1) throw new PrognosError('INVALID_INPUT', `window must be a positive integer, got ${spec.window}`);
  if (spec.gbdtInput === 'scaled' && spec.scaler === undefined) throw new PrognosError('INVALID_INPUT', 'a GBDT on scaled features needs the scaler');
  if (spec.rul !== undefined) {
    checkRulSpec(spec.rul, spec.rul.lstm !== undefined);
    if (spec.rul.lstm !== undefined && spec.lstm === undefined) throw new PrognosError('INVALID_INPUT', 'an LSTM RUL head needs the sequence model it shares windows with');
  }
  const contract = pipelineContract(spec);
  const needed = neededFeatures(spec);
  const lstmNames = lstmFeaturesOf(spec);
  const L = contract.targetRows;
  const C = contract.historyColumns.length;

  const b = new GraphBuilder('prognos_pipeline');
  b.input(PIPELINE_INPUTS.history, DataType.DOUBLE, ['N', 'history_rows', C], `raw values of ${contract.historyColumns.join(', ')} per row, oldest first, padding rows first`);
  b.input(PIPELINE_INPUTS.cycles, DataType.DOUBLE, ['N', 'history_rows'], 'cycle number of each history row');
  b.input(PIPELINE_INPUTS.valid, DataType.INT64, ['N'], 'number of real (right-aligned) rows in the history of each unit');

  const feats = addFeatureEngine(b, PIPELINE_INPUTS, spec.featureState, needed, L);
  const idx = (names: readonly string[]): number[] => names.map((n) => needed.indexOf(n));
  const lastRow = b.node('Gather', [feats, b.i64('last_row', [], [L - 1])], [attr.int('axis', 1)], { hint: 'last_row_features' });
  const gbdtEngineered = b.node('Gather', [lastRow, b.i64('gbdt_cols', [spec.gbdt.nFeatures], idx(spec.gbdt.featureNames))], [attr.int('axis', 1)], {
    outputs: [PIPELINE_OUTPUTS.features],
  });
  const gbdtIn =
    spec.gbdtInput === 'scaled' ? addScaling(b, gbdtEngineered, spec.scaler!, spec.gbdt.featureNames, 'gbdt_scaled') : gbdtEngineered;
  const trees = addTreeEnsemble(b, gbdtIn, spec.gbdt);
  let lstmWindows: string | undefined;
  const pGbdt = b.node('Gather', [trees.probabilities, b.i64('positive', [], [1])], [attr.int('axis', 1)], { hint: 'p_gbdt' });
  const pGbdt2 = b.node('Unsqueeze', [pGbdt, b.i64('axes', [1], [1])]);

  if (spec.lstm !== undefined) {
    const dims = lstmDims(spec.lstm, lstmNames.length);
    const lstmEng = b.node('Gather', [feats, b.i64('lstm_cols', [lstmNames.length], idx(lstmNames))], [attr.int('axis', 2)]);
    const lstmIn = addScaling(b, lstmEng, spec.scaler!, lstmNames, 'lstm_scaled');
    lstmWindows = lstmIn;
    const pLstm2 = addLstmAttention(b, lstmIn, spec.lstm, dims);
    b.node('Concat', [pGbdt2, pLstm2], [attr.int('axis', 1)], { outputs: [PIPELINE_OUTPUTS.parts] });
    const pLstm = b.node('Squeeze', [pLstm2, b.i64('axes', [1], [1])], [], { hint: 'p_lstm' });
    const wG = b.node('Mul', [pGbdt, b.f32('w', [], [spec.weight])]);
    const wL = b.node('Mul', [pLstm, b.f32('one_minus_w', [], [1 - spec.weight])]);
    addCalibration(b, b.node('Add', [wG, wL], [], { hint: 'p_ensemble' }), spec.calibration ?? { method: 'none' }, PIPELINE_OUTPUTS.probability);
  } else {
    b.node('Identity', [pGbdt2], [], { outputs: [PIPELINE_OUTPUTS.parts] });
    addCalibration(b, pGbdt, spec.calibration ?? { method: 'none' }, PIPELINE_OUTPUTS.probability);
  }
  if (spec.rul !== undefined) {
    const r = spec.rul;
    const rulCols = b.node('Gather', [lastRow, b.i64('rul_gbdt_cols', [r.gbdt.nFeatures], idx(r.gbdt.featureNames))], [attr.int('axis', 1)]);
    const rulIn = spec.gbdtInput === 'scaled' ? addScaling(b, rulCols, spec.scaler!, r.gbdt.featureNames, 'rul_gbdt_scaled') : rulCols;
    const rulGbdt = addTreeEnsembleRegressor(b, rulIn, r.gbdt);
    const rulLstm = r.lstm === undefined ? undefined : addLstmAttention(b, lstmWindows!, r.lstm, lstmDims(r.lstm, lstmNames.length));
    addRulEnsemble(b, rulGbdt, rulLstm, r, { rul: PIPELINE_OUTPUTS.rul, low: PIPELINE_OUTPUTS.rulLow, high: PIPELINE_OUTPUTS.rulHigh });
  }
  b.output(PIPELINE_OUTPUTS.probability, DataType.FLOAT, ['N'], 'ensemble probability of failure within the label window (calibrated)');
  b.output(PIPELINE_OUTPUTS.parts, DataType.FLOAT, ['N', contract.parts.length], `per-model probabilities: ${contract.parts.join(', ')}`);
  b.output(PIPELINE_OUTPUTS.features, DataType.FLOAT, ['N', spec.gbdt.nFeatures], 'engineered features at the last row, GBDT order');
  if (spec.rul !== undefined) {
    b.output(PIPELINE_OUTPUTS.rul, DataType.FLOAT, ['N'], 'remaining useful life at the latest row, cycles');
    b.output(PIPELINE_OUTPUTS.rulLow, DataType.FLOAT, ['N'], `lower end of the ${spec.rul.interval.coverage} conformal interval (at least 0)`);
    b.output(PIPELINE_OUTPUTS.rulHigh, DataType.FLOAT, ['N'], `upper end of the ${spec.rul.interval.coverage} conformal interval`);
  }

  return encodeModel({
    graph: b.build('Prognos pipeline: raw sensor history → features → scaler → GBDT (+ LSTM) → ensemble probability'),
    opsets: [
      { domain: '', version: MAX_ONNX_OPSET },
      { domain: ONNX_ML_DOMAIN, version: MAX_ONNX_ML_OPSET },
    ],
    ...(opts.producerVersion === undefined ? {} : { producerVersion: opts.producerVersion }),
    metadata: {
      history_columns: JSON.stringify(contract.historyColumns),
      min_history_rows: String(contract.minHistoryRows),
      requires_full_history: String(contract.requiresFullHistory),
      parts: JSON.stringify(contract.parts),
      features: JSON.stringify(contract.features),
      ...(spec.rul === undefined ? {} : { rul_cap: String(spec.rul.cap), rul_features: JSON.stringify(spec.rul.gbdt.featureNames) }),
    },
  });
}
