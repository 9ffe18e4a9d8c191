/**
 * The model server's scoring path: the same numbers as BundleScorer's 'models' engine (what
 * `prognos predict --bundle` runs), computed for what the models read and nothing else.
 *
 * - Features: only the columns the GBDT, the LSTM and the RUL models read (FeaturePlan), still over
 *   each unit's whole history so that running sums and EWMAs are the same to the bit.
 * - Inputs: the GBDTs read each unit's last row, the LSTMs its last `windowLength` rows (left-padded
 *   with the unit's first row, as buildWindows does); only those rows are scaled.
 * - Models: gbdt.onnx, lstm.onnx and the RUL models each through a ModelBatcher, so the requests that
 *   arrive together share one onnxruntime call per model.
 *
 * The ensemble, the calibration and the RUL rule are the functions BundleScorer applies, in the same
 * order; test/integration/serve-model/fast-path.test.ts checks the two give identical JSON.
 */
import { InferenceSession } from 'onnxruntime-node';
import { applyCalibration } from '../../shared/calibration';
import { PrognosError } from '../../shared/errors';
import { unitSpans, type FleetTable } from '../core/data/table';
import type { BundleManifest } from '../core/export';
import { GBDT_INPUT, GBDT_PROBABILITIES } from '../core/export/gbdt-onnx';
import { LSTM_INPUT, LSTM_OUTPUT } from '../core/export/lstm-onnx';
import { GBDT_RUL_INPUT, GBDT_RUL_OUTPUT, rulBounds, rulEnsemble } from '../core/export/rul-onnx';
import type { UnitScore } from '../core/export/score';
import type { ScalerParams } from '../core/split';
import { ModelBatcher } from './batcher';
import { FeatureArena, FeaturePlan } from './fast-features';
import { serveProfile } from './profile';

/** single-threaded sessions: a row's result then never depends on the batch it is scored in */
export const SERVE_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

/** Per feature name: its mean and std in the scaler (throws BAD_FILE for a feature the scaler lacks). */
function scalerOf(names: readonly string[], scaler: ScalerParams): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(names.length);
  const std = new Float64Array(names.length);
  names.forEach((n, c) => {
    const i = scaler.names.indexOf(n);
    if (i < 0) throw new PrognosError('BAD_FILE', `manifest.json: the scaler has no parameters for ${n}`);
    mean[c] = scaler.mean[i]!;
    std[c] = scaler.std[i]!;
  });
  return { mean, std };
}

interface TreeInput {
  readonly names: readonly string[];
  readonly scale: { mean: Float64Array; std: Float64Array } | undefined;
  readonly batcher: ModelBatcher;
}

export class FastScorer {
  private readonly plan: FeaturePlan;
  /** the features' buffers, reused by every call: scoreUnits reads the columns before its first await */
  private readonly arena = new FeatureArena();
  private readonly gbdt: TreeInput;
  private readonly rulGbdt: TreeInput | undefined;
  private readonly lstm: { names: readonly string[]; scale: { mean: Float64Array; std: Float64Array }; model: ModelBatcher; rul: ModelBatcher | undefined } | undefined;

  private constructor(
    readonly manifest: BundleManifest,
    /** sessions this scorer opened (the RUL models) and releases on close */
    private readonly owned: readonly InferenceSession[],
    sessions: { gbdt: InferenceSession; lstm?: InferenceSession; rulGbdt?: InferenceSession; rulLstm?: InferenceSession },
  ) {
    const m = manifest;
    this.plan = new FeaturePlan(m);
    const treeScale = (names: readonly string[]): TreeInput['scale'] => (m.gbdtInput === 'scaled' ? scalerOf(names, m.scaler!) : undefined);
    const F = m.selectedFeatures.length;
    this.gbdt = {
      names: m.selectedFeatures,
      scale: treeScale(m.selectedFeatures),
      batcher: new ModelBatcher(sessions.gbdt, { input: GBDT_INPUT, output: GBDT_PROBABILITIES, rowShape: [F], outputStride: 2, name: 'gbdt' }),
    };
    const r = m.rul;
    this.rulGbdt =
      r === undefined || sessions.rulGbdt === undefined
        ? undefined
        : {
            names: r.features,
            scale: treeScale(r.features),
            batcher: new ModelBatcher(sessions.rulGbdt, { input: GBDT_RUL_INPUT, output: GBDT_RUL_OUTPUT, rowShape: [r.features.length], outputStride: 1, name: 'rul-gbdt' }),
          };
    if (sessions.lstm !== undefined) {
      const names = m.lstmFeatures!;
      const rowShape = [m.windowLength, names.length];
      this.lstm = {
        names,
        scale: scalerOf(names, m.scaler!),
        model: new ModelBatcher(sessions.lstm, { input: LSTM_INPUT, output: LSTM_OUTPUT, rowShape, outputStride: 1, minRows: 2, name: 'lstm' }),
        rul: sessions.rulLstm === undefined ? undefined : new ModelBatcher(sessions.rulLstm, { input: LSTM_INPUT, output: LSTM_OUTPUT, rowShape, outputStride: 1, minRows: 2, name: 'rul-lstm' }),
      };
    }
  }

  /**
   * A scorer over the bundle's files. `shared` are sessions of gbdt.onnx and lstm.onnx the caller
   * already holds (single-threaded, SERVE_SESSION_OPTIONS) and releases itself; the RUL models are
   * loaded here.
   */
  static async open(m: BundleManifest, files: ReadonlyMap<string, Uint8Array>, shared: { gbdt: InferenceSession; lstm?: InferenceSession }): Promise<FastScorer> {
    const owned: InferenceSession[] = [];
    const load = async (file: string): Promise<InferenceSession> => {
      const bytes = files.get(file);
      if (bytes === undefined) throw new PrognosError('BAD_FILE', `the bundle has no ${file}`);
      const s = await InferenceSession.create(bytes, SERVE_SESSION_OPTIONS);
      owned.push(s);
      return s;
    };
    try {
      const rulGbdt = m.rul === undefined ? undefined : await load(m.rul.files.gbdt.file);
      const rulLstm = m.rul?.files.lstm === undefined || shared.lstm === undefined ? undefined : await load(m.rul.files.lstm.file);
      return new FastScorer(m, owned, {
        gbdt: shared.gbdt,
        ...(shared.lstm === undefined ? {} : { lstm: shared.lstm }),
        ...(rulGbdt === undefined ? {} : { rulGbdt }),
        ...(rulLstm === undefined ? {} : { rulLstm }),
      });
    } catch (e) {
      await Promise.all(owned.map((s) => s.release()));
      throw e;
    }
  }

  /** onnxruntime calls and rows per model so far (tests, the bench) */
  stats(): Record<string, { calls: number; rows: number }> {
    const of = (b: ModelBatcher | undefined): { calls: number; rows: number } => ({ calls: b?.calls ?? 0, rows: b?.rowsScored ?? 0 });
    return { gbdt: of(this.gbdt.batcher), lstm: of(this.lstm?.model), rulGbdt: of(this.rulGbdt?.batcher), rulLstm: of(this.lstm?.rul) };
  }

  /** One score per unit of `table`, at the unit's latest cycle, in table order: what BundleScorer.scoreUnits gives. */
  async scoreUnits(table: FleetTable): Promise<UnitScore[]> {
    const spans = unitSpans(table);
    const U = spans.length;
    if (U === 0) return [];
    const m = this.manifest;
    const profile = serveProfile();
    const t0 = profile === undefined ? 0 : performance.now();
    const cols = this.plan.compute(table, spans, this.arena);
    const column = (n: string): Float32Array => cols.get(n)!;

    /** each unit's last row of the named features, scaled when the GBDTs read scaled features (as scaleColumns does) */
    const lastRows = (t: TreeInput): Float32Array => {
      const F = t.names.length;
      const x = new Float32Array(U * F);
      const src = t.names.map(column);
      for (let k = 0; k < U; k++) {
        const r = spans[k]!.end - 1;
        for (let c = 0; c < F; c++) x[k * F + c] = t.scale === undefined ? src[c]![r]! : (src[c]![r]! - t.scale.mean[c]!) / t.scale.std[c]!;
      }
      return x;
    };
    const gbdtOut = this.gbdt.batcher.run(lastRows(this.gbdt), U);
    const rulOut = this.rulGbdt === undefined ? undefined : this.rulGbdt.batcher.run(lastRows(this.rulGbdt), U);
    let lstmOut: Promise<Float32Array> | undefined;
    let lstmRulOut: Promise<Float32Array> | undefined;
    if (this.lstm !== undefined) {
      // windows as buildWindows makes them: time step s holds row r − (L − 1 − s), clamped to the unit's first row
      const { names, scale } = this.lstm;
      const F = names.length;
      const L = m.windowLength;
      const src = names.map(column);
      const w = new Float32Array(U * L * F);
      for (let k = 0; k < U; k++) {
        const { start, end } = spans[k]!;
        const r = end - 1;
        for (let s = 0; s < L; s++) {
          const row = Math.max(start, r - (L - 1 - s));
          const o = (k * L + s) * F;
          for (let f = 0; f < F; f++) w[o + f] = (src[f]![row]! - scale.mean[f]!) / scale.std[f]!;
        }
      }
      lstmOut = this.lstm.model.run(w, U);
      if (this.lstm.rul !== undefined) lstmRulOut = this.lstm.rul.run(w, U);
    }
    // the features and the models' inputs (the batchers only queue until the next turn of the loop)
    profile?.add('features', performance.now() - t0);
    const [g, l, rg, rl] = await Promise.all([gbdtOut, lstmOut, rulOut, lstmRulOut]);
    const gbdt = new Float64Array(U);
    for (let k = 0; k < U; k++) gbdt[k] = g[2 * k + 1]!;
    const lstm = l === undefined ? undefined : Float64Array.from(l);
    const wt = m.ensemble.weight;
    const probability = applyCalibration(m.calibration ?? { method: 'none' }, lstm === undefined ? gbdt.slice() : gbdt.map((x, k) => wt * x + (1 - wt) * lstm[k]!));
    const r = m.rul;
    return spans.map((s, k) => {
      const p = probability[k]!;
      const lk = lstm?.[k];
      let rul: { rul: number; rulLow: number; rulHigh: number } | undefined;
      if (r !== undefined && rg !== undefined) {
        const value = rulEnsemble(r, rg[k]!, rl?.[k]);
        const b = rulBounds(r.interval, value);
        rul = { rul: value, rulLow: b.low, rulHigh: b.high };
      }
      return {
        unit: s.unit,
        cycle: table.cycle[s.end - 1]!,
        probability: p,
        parts: lk === undefined ? { gbdt: gbdt[k]! } : { gbdt: gbdt[k]!, lstm: lk },
        alert: p >= m.threshold,
        ...(rul ?? {}),
      };
    });
  }

  /** Releases the sessions this scorer loaded (not the shared ones). */
  async close(): Promise<void> {
    await Promise.all(this.owned.map((s) => s.release()));
  }
}
