/**
 * Scoring with a bundle through onnxruntime: the bundle is verified, its models are loaded from
 * memory, and each unit of a fleet table is scored at its latest cycle.
 *
 * Two engines give the same result: 'models' computes the features with the in-app engine from the
 * bundle's recipe (FeatureState, scaler) and runs gbdt.onnx and lstm.onnx; 'pipeline' sends the raw
 * history to pipeline.onnx, which computes the features in the graph.
 */
import { availableParallelism } from 'node:os';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { applyCalibration } from '../../../shared/calibration';
import { PrognosError } from '../../../shared/errors';
import { unitSpans, type FleetTable, type UnitSpan } from '../data/table';
import { engineerFeatures, type FeatureState } from '../features/engineer';
import type { ScalerParams } from '../split';
import { buildWindows } from '../windows';
import { readBundle, type VerifyOptions } from './bundle';
import type { BundleTrust } from './trust';
import { GBDT_INPUT, GBDT_PROBABILITIES } from './gbdt-onnx';
import { LSTM_INPUT, LSTM_OUTPUT } from './lstm-onnx';
import type { BundleManifest } from './manifest';
import { PIPELINE_INPUTS, PIPELINE_OUTPUTS } from './pipeline-onnx';
import { GBDT_RUL_INPUT, GBDT_RUL_OUTPUT, rulBounds, rulEnsemble } from './rul-onnx';

export type ScoringEngine = 'models' | 'pipeline';

export interface UnitScore {
  readonly unit: number;
  /** The unit's latest cycle, where the prediction applies. */
  readonly cycle: number;
  readonly probability: number;
  readonly parts: { readonly gbdt: number; readonly lstm?: number };
  readonly alert: boolean;
  /** predicted remaining useful life (cycles) and its interval; only for bundles with a RUL model */
  readonly rul?: number;
  readonly rulLow?: number;
  readonly rulHigh?: number;
}

interface ModelScores {
  gbdt: Float64Array;
  lstm?: Float64Array;
  probability: Float64Array;
  rul?: { value: Float64Array; low: Float64Array; high: Float64Array };
}

export interface BundleScorerOptions extends VerifyOptions {
  /** 'models' (default): features in TypeScript, then gbdt.onnx / lstm.onnx; 'pipeline': pipeline.onnx. */
  readonly engine?: ScoringEngine;
}

interface Sessions {
  gbdt?: InferenceSession;
  lstm?: InferenceSession;
  pipeline?: InferenceSession;
  rulGbdt?: InferenceSession;
  rulLstm?: InferenceSession;
}

/** Units per onnxruntime call. */
const UNIT_BATCH = 2048;
/** Elements (float64) of the largest pipeline intermediates per call, about 32 MB each. */
const PIPELINE_BUDGET = 4_000_000;

function featureStateOf(m: BundleManifest): FeatureState {
  const f = m.features;
  return {
    spec: f.spec,
    sensors: [...f.sensors],
    droppedSensors: [...f.droppedSensors],
    ...(f.regime === undefined ? {} : { regime: f.regime }),
  };
}

/** (x − mean) / std in float64, stored as float32: StandardScaler.transform for the named columns. */
function scaleColumns(cols: readonly Float32Array[], names: readonly string[], scaler: ScalerParams): Float32Array[] {
  return cols.map((col, c) => {
    const i = scaler.names.indexOf(names[c]!);
    if (i < 0) throw new PrognosError('BAD_FILE', `manifest.json: the scaler has no parameters for ${names[c]}`);
    const m = scaler.mean[i]!;
    const s = scaler.std[i]!;
    const out = new Float32Array(col.length);
    for (let r = 0; r < col.length; r++) out[r] = (col[r]! - m) / s;
    return out;
  });
}

function floatData(t: Tensor | undefined, name: string): Float32Array {
  if (t === undefined || !(t.data instanceof Float32Array)) throw new PrognosError('INTERNAL', `onnxruntime returned no float output ${name}`);
  return t.data;
}

export class BundleScorer {
  private closed = false;

  private constructor(
    readonly manifest: BundleManifest,
    readonly engine: ScoringEngine,
    private readonly sessions: Sessions,
    /** what the bundle's signature proves against the keyring it was opened with */
    readonly trust: BundleTrust,
  ) {}

  /** Verifies the bundle (refused with BAD_FILE when anything is wrong) and loads its models. */
  static async open(bundlePath: string, opts: BundleScorerOptions = {}): Promise<BundleScorer> {
    const bundle = await readBundle(bundlePath, opts);
    const m = bundle.manifest;
    const engine = opts.engine ?? 'models';
    if (engine === 'pipeline' && m.models.pipeline === undefined) {
      throw new PrognosError('INVALID_INPUT', 'this bundle has no models/pipeline.onnx; score with the models engine');
    }
    const sessions: Sessions = {};
    // all graph optimisations (the server stack runs the same files); the batch engine uses every core,
    // the per-unit pipeline one thread, which keeps its tail latency free of thread hand-offs
    const options: InferenceSession.SessionOptions = {
      intraOpNumThreads: engine === 'pipeline' ? 1 : availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    const load = async (file: string): Promise<InferenceSession> => InferenceSession.create(bundle.files.get(file)!, options);
    try {
      if (engine === 'pipeline') sessions.pipeline = await load(m.models.pipeline!.file);
      else {
        sessions.gbdt = await load(m.models.gbdt.file);
        if (m.models.lstm !== undefined) sessions.lstm = await load(m.models.lstm.file);
        if (m.rul !== undefined) sessions.rulGbdt = await load(m.rul.files.gbdt.file);
        if (m.rul?.files.lstm !== undefined) sessions.rulLstm = await load(m.rul.files.lstm.file);
      }
    } catch (e) {
      await Promise.all(Object.values(sessions).map((s: InferenceSession) => s.release()));
      if (e instanceof PrognosError) throw e;
      throw new PrognosError('BAD_FILE', `onnxruntime cannot load a model of ${bundlePath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new BundleScorer(m, engine, sessions, bundle.trust);
  }

  /** One score per unit of `table`, at the unit's latest cycle, in table order. */
  async scoreUnits(table: FleetTable): Promise<UnitScore[]> {
    if (this.closed) throw new PrognosError('CONFLICT', 'the scorer is closed');
    const spans = unitSpans(table);
    if (spans.length === 0) return [];
    const scores =
      this.engine === 'pipeline' ? await this.scorePipeline(table, spans) : await this.scoreModelRows(table, Int32Array.from(spans, (s) => s.end - 1));
    const m = this.manifest;
    const hasLstm = m.models.lstm !== undefined;
    return spans.map((s, k) => {
      const gbdt = scores.gbdt[k]!;
      const lstm = hasLstm ? scores.lstm![k]! : undefined;
      const probability = scores.probability[k]!;
      const rul = scores.rul;
      return {
        unit: s.unit,
        cycle: table.cycle[s.end - 1]!,
        probability,
        parts: lstm === undefined ? { gbdt } : { gbdt, lstm },
        alert: probability >= m.threshold,
        ...(rul === undefined ? {} : { rul: rul.value[k]!, rulLow: rul.low[k]!, rulHigh: rul.high[k]! }),
      };
    });
  }

  /**
   * Scores at every given row (all rows by default), each with the history its unit has up to that
   * row: a unit's risk over its cycles. Uses the bundle's model files (gbdt.onnx, lstm.onnx).
   */
  async scoreRows(table: FleetTable, rows?: Int32Array): Promise<{ rows: Int32Array } & ModelScores> {
    if (this.closed) throw new PrognosError('CONFLICT', 'the scorer is closed');
    const at = rows ?? Int32Array.from({ length: table.rowCount }, (_, i) => i);
    return { rows: at, ...(await this.scoreModelRows(table, at)) };
  }

  private async scoreModelRows(table: FleetTable, last: Int32Array): Promise<ModelScores> {
    const m = this.manifest;
    const state = featureStateOf(m);
    const f = engineerFeatures(table, state.spec, { state });
    const index = new Map(f.names.map((n, i) => [n, i]));
    const columns = (names: readonly string[]): Float32Array[] =>
      names.map((n) => {
        const i = index.get(n);
        if (i === undefined) throw new PrognosError('BAD_FILE', `manifest.json: the feature recipe does not produce ${n}`);
        return f.columns[i]!;
      });
    const U = last.length;

    /** One column per unit row of the named features (scaled when the GBDTs read scaled features) through `session`. */
    const trees = async (session: InferenceSession, names: readonly string[], input: string, output: string, stride: number, at: number): Promise<Float64Array> => {
      const cols = m.gbdtInput === 'scaled' ? scaleColumns(columns(names), names, m.scaler!) : columns(names);
      const F = cols.length;
      const res = new Float64Array(U);
      for (let a = 0; a < U; a += UNIT_BATCH) {
        const n = Math.min(UNIT_BATCH, U - a);
        const x = new Float32Array(n * F);
        for (let k = 0; k < n; k++) for (let c = 0; c < F; c++) x[k * F + c] = cols[c]![last[a + k]!]!;
        const out = await session.run({ [input]: new Tensor('float32', x, [n, F]) });
        const p = floatData(out[output], output);
        for (let k = 0; k < n; k++) res[a + k] = p[stride * k + at]!;
      }
      return res;
    };
    const gbdt = await trees(this.sessions.gbdt!, m.selectedFeatures, GBDT_INPUT, GBDT_PROBABILITIES, 2, 1);
    const calibration = m.calibration ?? { method: 'none' };

    let lstm: Float64Array | undefined;
    let lstmRul: Float64Array | undefined;
    if (this.sessions.lstm !== undefined) {
      const names = m.lstmFeatures!;
      const scaled = scaleColumns(columns(names), names, m.scaler!);
      const L = m.windowLength;
      lstm = new Float64Array(U);
      if (this.sessions.rulLstm !== undefined) lstmRul = new Float64Array(U);
      for (let a = 0; a < U; a += UNIT_BATCH) {
        const n = Math.min(UNIT_BATCH, U - a);
        const w = buildWindows(scaled, table, last.subarray(a, a + n), L);
        const feeds = { [LSTM_INPUT]: new Tensor('float32', w.data, [n, L, names.length]) };
        const p = floatData((await this.sessions.lstm.run(feeds))[LSTM_OUTPUT], LSTM_OUTPUT);
        for (let k = 0; k < n; k++) lstm[a + k] = p[k]!;
        if (lstmRul !== undefined) {
          const q = floatData((await this.sessions.rulLstm!.run(feeds))[LSTM_OUTPUT], LSTM_OUTPUT);
          for (let k = 0; k < n; k++) lstmRul[a + k] = q[k]!;
        }
      }
    }
    const wt = m.ensemble.weight;
    const probability = applyCalibration(calibration, lstm === undefined ? gbdt.slice() : gbdt.map((g, k) => wt * g + (1 - wt) * lstm[k]!));
    const base = lstm === undefined ? { gbdt, probability } : { gbdt, lstm, probability };
    const r = m.rul;
    if (r === undefined || this.sessions.rulGbdt === undefined) return base;
    const rulGbdt = await trees(this.sessions.rulGbdt, r.features, GBDT_RUL_INPUT, GBDT_RUL_OUTPUT, 1, 0);
    const value = rulGbdt.map((g, k) => rulEnsemble(r, g, lstmRul?.[k]));
    const bounds = Array.from(value, (v) => rulBounds(r.interval, v));
    return { ...base, rul: { value, low: Float64Array.from(bounds, (b) => b.low), high: Float64Array.from(bounds, (b) => b.high) } };
  }

  private async scorePipeline(table: FleetTable, spans: readonly UnitSpan[]): Promise<ModelScores> {
    const p = this.manifest.pipeline!;
    const cols = p.historyColumns.map((name) => {
      const i = table.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new PrognosError('INVALID_INPUT', `the data has no column ${name}, which the bundle's pipeline reads`);
      return table.values[i]!;
    });
    const C = cols.length;
    const longest = spans.reduce((a, s) => Math.max(a, s.end - s.start), 0);
    const T = p.requiresFullHistory ? longest : Math.min(longest, p.minHistoryRows);
    // per unit: the history and EWMA weights (T × max(C, window)) and the masked min/max block
    // (window × tail rows × sensors)
    const perUnit = T * Math.max(C, p.targetRows) + p.targetRows * Math.min(T, p.minHistoryRows) * C;
    const batch = Math.max(1, Math.min(UNIT_BATCH, Math.floor(PIPELINE_BUDGET / perUnit)));
    const U = spans.length;
    const hasLstm = p.parts.length > 1;
    const gbdt = new Float64Array(U);
    const lstm = hasLstm ? new Float64Array(U) : undefined;
    const probability = new Float64Array(U);
    const rul = this.manifest.rul === undefined ? undefined : { value: new Float64Array(U), low: new Float64Array(U), high: new Float64Array(U) };
    for (let a = 0; a < U; a += batch) {
      const n = Math.min(batch, U - a);
      const history = new Float64Array(n * T * C);
      const cycles = new Float64Array(n * T);
      const valid = new BigInt64Array(n);
      for (let k = 0; k < n; k++) {
        const s = spans[a + k]!;
        const len = Math.min(T, s.end - s.start);
        valid[k] = BigInt(len);
        for (let r = 0; r < len; r++) {
          const src = s.end - len + r;
          const row = k * T + (T - len + r);
          cycles[row] = table.cycle[src]!;
          for (let c = 0; c < C; c++) history[row * C + c] = cols[c]![src]!;
        }
      }
      const out = await this.sessions.pipeline!.run({
        [PIPELINE_INPUTS.history]: new Tensor('float64', history, [n, T, C]),
        [PIPELINE_INPUTS.cycles]: new Tensor('float64', cycles, [n, T]),
        [PIPELINE_INPUTS.valid]: new Tensor('int64', valid, [n]),
      });
      const prob = floatData(out[PIPELINE_OUTPUTS.probability], PIPELINE_OUTPUTS.probability);
      const parts = floatData(out[PIPELINE_OUTPUTS.parts], PIPELINE_OUTPUTS.parts);
      const P = p.parts.length;
      for (let k = 0; k < n; k++) {
        probability[a + k] = prob[k]!;
        gbdt[a + k] = parts[k * P]!;
        if (lstm !== undefined) lstm[a + k] = parts[k * P + 1]!;
      }
      if (rul !== undefined) {
        rul.value.set(floatData(out[PIPELINE_OUTPUTS.rul], PIPELINE_OUTPUTS.rul), a);
        rul.low.set(floatData(out[PIPELINE_OUTPUTS.rulLow], PIPELINE_OUTPUTS.rulLow), a);
        rul.high.set(floatData(out[PIPELINE_OUTPUTS.rulHigh], PIPELINE_OUTPUTS.rulHigh), a);
      }
    }
    const base = lstm === undefined ? { gbdt, probability } : { gbdt, lstm, probability };
    return rul === undefined ? base : { ...base, rul };
  }

  /** Releases the onnxruntime sessions; the scorer cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = Object.values(this.sessions) as InferenceSession[];
    await Promise.all(all.map((s) => s.release()));
  }
}
