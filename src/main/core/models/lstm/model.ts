/**
 * The trained sequence model: two LSTM layers (return sequences) → additive attention over time →
 * dropout → dense(1, sigmoid). Weights live in tf.Variables (Keras layout, gate order i, f, c, o);
 * `getWeights` exports them as plain Float32Arrays with shapes, `serialize` as JSON plus
 * little-endian float32 bytes.
 *
 * A model may hold several members: networks of the same architecture trained with different seeds
 * (`LstmModel.combine`). It then predicts the mean of its members' outputs (and attention weights);
 * each member is exported on its own (`memberWeights`) and the ONNX graphs average them the same way.
 * Training works on single-member models only.
 */
import * as tf from '@tensorflow/tfjs';
import { PrognosError } from '../../../../shared/errors';
import type { Windows } from '../../windows';
import { activeBackend, type LstmBackend } from './backend';
import { initialWeights, weightShapes } from './init';
import { MAX_MEMBERS } from './params';
import { createLstmRuntime, WEIGHT_ORDER, type LstmRuntime, type NetDims } from './runtime';
import { lstmSimdModuleBytes } from './simd';

export interface WeightArray {
  shape: number[];
  data: Float32Array;
}

export interface LstmLayerWeights {
  /** [in, 4u], gate order i, f, c, o */
  kernel: WeightArray;
  /** [u, 4u] */
  recurrentKernel: WeightArray;
  /** [4u] */
  bias: WeightArray;
}

export interface LstmWeights {
  lstm1: LstmLayerWeights;
  lstm2: LstmLayerWeights;
  /** score_t = v · tanh(h_t · W + b): W [u2, A], b [A], v [A] */
  attention: { W: WeightArray; b: WeightArray; v: WeightArray };
  /** kernel [u2, 1], bias [1] */
  dense: { kernel: WeightArray; bias: WeightArray };
}

export interface LstmArchitecture extends NetDims {
  /** window length (time steps) */
  length: number;
  /** dropout rate used in training (inference ignores it) */
  dropout: number;
}

export interface LstmModelJson {
  format: 'prognos-lstm';
  /** 1: one network; 2: `members` networks, their tensors named `m<k>/<weight>` */
  version: 1 | 2;
  /** networks averaged (version 2) */
  members?: number;
  architecture: LstmArchitecture;
  /** gate order of the LSTM kernels */
  gateOrder: 'ifco';
  recurrentActivation: 'sigmoid';
  /** tensors in the binary part: float32 little-endian, back to back */
  tensors: { name: string; shape: number[]; offset: number }[];
  byteLength: number;
  /** backend the model was trained on, when known */
  backend?: LstmBackend;
}

export interface PredictOptions {
  /** windows per forward pass (default 512) */
  batchSize?: number;
}

let runtime: LstmRuntime | undefined;
/** The runtime of this thread's tfjs instance. */
export function lstmRuntime(): LstmRuntime {
  runtime ??= createLstmRuntime(tf, { simd: lstmSimdModuleBytes() });
  return runtime;
}

function requireBackend(): void {
  if (activeBackend() === null) {
    throw new PrognosError('INTERNAL', 'No tfjs backend is active: await selectBackend() before using the LSTM model.');
  }
}

/**
 * Variable names must be unique in tfjs's engine, which is one per process: the counter lives on the
 * global object so that two copies of this module (bundles, test isolation) never reuse a name.
 */
const counterHost = globalThis as { __prognosLstmModels?: number };
function nextModelId(): number {
  counterHost.__prognosLstmModels = (counterHost.__prognosLstmModels ?? 0) + 1;
  return counterHost.__prognosLstmModels;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class LstmModel {
  readonly architecture: LstmArchitecture;
  /** backend the model was trained on (set by the trainer and kept through serialize/load) */
  trainedOn: LstmBackend | undefined;
  /** one list of variables (in WEIGHT_ORDER) per member */
  private readonly members: tf.Variable[][];
  private disposed = false;

  private constructor(architecture: LstmArchitecture, memberArrays: readonly (readonly Float32Array[])[]) {
    requireBackend();
    if (memberArrays.length < 1) throw new PrognosError('INVALID_INPUT', 'an LSTM model needs at least one member');
    this.architecture = { ...architecture };
    const shapes = weightShapes(architecture);
    const id = nextModelId();
    const made: tf.Variable[] = [];
    try {
      this.members = memberArrays.map((arrays, k) =>
        arrays.map((a, i) => {
          const name = WEIGHT_ORDER[i]!;
          if (a.length !== sizeOf(shapes[i]!)) {
            throw new PrognosError(
              'INVALID_INPUT',
              `LSTM weight ${name}: ${a.length} values for shape [${shapes[i]!.join(', ')}]`,
            );
          }
          // the variable keeps its own reference to the data: the initial tensor is disposed, or it would
          // outlive the model (one leaked tensor per weight each time a run's LSTM is loaded)
          const initial = tf.tensor(a, shapes[i], 'float32');
          try {
            const v = tf.variable(initial, true, memberArrays.length === 1 ? `prognos_lstm_${id}/${name}` : `prognos_lstm_${id}/m${k}/${name}`);
            made.push(v);
            return v;
          } finally {
            initial.dispose();
          }
        }),
      );
    } catch (e) {
      for (const v of made) v.dispose();
      throw e;
    }
  }

  /** Networks averaged by this model (1 for a trained model before `combine`). */
  get memberCount(): number {
    return this.members.length;
  }

  /**
   * One model predicting the mean of `models`' outputs (same architecture; the members are copied, the
   * given models stay usable and are the caller's to dispose).
   */
  static combine(models: readonly LstmModel[]): LstmModel {
    if (models.length === 0) throw new PrognosError('INVALID_INPUT', 'LstmModel.combine needs at least one model');
    const first = models[0]!;
    const key = (a: LstmArchitecture): string => JSON.stringify({ ...a, outputs: a.outputs ?? 1, dropout: 0 });
    for (const m of models) {
      if (key(m.architecture) !== key(first.architecture))
        throw new PrognosError('INVALID_INPUT', 'LstmModel.combine: the models have different architectures');
    }
    const arrays = models.flatMap((m) => m.memberArrays());
    const out = new LstmModel(first.architecture, arrays);
    out.trainedOn = first.trainedOn;
    return out;
  }

  /** A fresh model with seeded initial weights. */
  static create(architecture: LstmArchitecture, seed: number): LstmModel {
    checkArchitecture(architecture);
    return new LstmModel(architecture, [initialWeights(architecture, seed)]);
  }

  /** Rebuilds a model from exported weights (the architecture follows from the shapes). */
  static fromWeights(w: LstmWeights, meta: { length: number; dropout?: number }): LstmModel {
    const arrays = flatten(w);
    const architecture: LstmArchitecture = {
      features: w.lstm1.kernel.shape[0]!,
      units1: w.lstm1.recurrentKernel.shape[0]!,
      units2: w.lstm2.recurrentKernel.shape[0]!,
      attentionUnits: w.attention.W.shape[1]!,
      length: meta.length,
      dropout: meta.dropout ?? 0,
    };
    const outputs = w.dense.kernel.shape[1];
    if (outputs !== undefined && outputs !== 1) architecture.outputs = outputs;
    checkArchitecture(architecture);
    const shapes = weightShapes(architecture);
    const given = [
      w.lstm1.kernel,
      w.lstm1.recurrentKernel,
      w.lstm1.bias,
      w.lstm2.kernel,
      w.lstm2.recurrentKernel,
      w.lstm2.bias,
      w.attention.W,
      w.attention.b,
      w.attention.v,
      w.dense.kernel,
      w.dense.bias,
    ];
    given.forEach((g, i) => {
      if (g.shape.join(',') !== shapes[i]!.join(',')) {
        throw new PrognosError(
          'INVALID_INPUT',
          `LSTM weight ${WEIGHT_ORDER[i]}: shape [${g.shape.join(', ')}], expected [${shapes[i]!.join(', ')}]`,
        );
      }
    });
    return new LstmModel(architecture, [arrays]);
  }

  /** The single member's variables; training and the thread pools work on one network. */
  private single(what: string): tf.Variable[] {
    this.check();
    if (this.members.length !== 1)
      throw new PrognosError('INTERNAL', `${what} needs a single-network LSTM model; this one averages ${this.members.length}`);
    return this.members[0]!;
  }

  /** The variables in WEIGHT_ORDER (for the trainer). */
  variables(): readonly tf.Variable[] {
    return this.single('variables()');
  }

  /** Copies of the weights in WEIGHT_ORDER (a single-network model). */
  weightArrays(): Float32Array[] {
    return this.single('weightArrays()').map((v) => (v.dataSync() as Float32Array).slice());
  }

  /** Copies of each member's weights in WEIGHT_ORDER. */
  memberArrays(): Float32Array[][] {
    this.check();
    return this.members.map((vars) => vars.map((v) => (v.dataSync() as Float32Array).slice()));
  }

  /** Overwrites the weights (arrays in WEIGHT_ORDER; a single-network model). */
  setWeightArrays(arrays: readonly Float32Array[]): void {
    this.single('setWeightArrays()').forEach((v, i) => {
      const a = arrays[i]!;
      if (a.length !== v.size)
        throw new PrognosError(
          'INVALID_INPUT',
          `LSTM weight ${WEIGHT_ORDER[i]}: ${a.length} values, expected ${v.size}`,
        );
      tf.tidy(() => v.assign(tf.tensor(a, v.shape, 'float32')));
    });
  }

  /** The weights of a single-network model (`memberWeights` for any model). */
  getWeights(): LstmWeights {
    return this.shaped(this.weightArrays());
  }

  /** Each member's weights, in member order. */
  memberWeights(): LstmWeights[] {
    return this.memberArrays().map((a) => this.shaped(a));
  }

  /** What the exporters take: the weights of a single network, else every member's. */
  exportWeights(): LstmWeights | LstmWeights[] {
    const all = this.memberWeights();
    return all.length === 1 ? all[0]! : all;
  }

  private shaped(a: readonly Float32Array[]): LstmWeights {
    const shapes = weightShapes(this.architecture);
    const wa = (i: number): WeightArray => ({ shape: [...shapes[i]!], data: a[i]! });
    return {
      lstm1: { kernel: wa(0), recurrentKernel: wa(1), bias: wa(2) },
      lstm2: { kernel: wa(3), recurrentKernel: wa(4), bias: wa(5) },
      attention: { W: wa(6), b: wa(7), v: wa(8) },
      dense: { kernel: wa(9), bias: wa(10) },
    };
  }

  private checkWindows(windows: Windows): void {
    const { features, length } = this.architecture;
    if (windows.features !== features || windows.length !== length) {
      throw new PrognosError(
        'INVALID_INPUT',
        `the model takes windows of ${length} × ${features}, got ${windows.length} × ${windows.features}`,
      );
    }
    if (windows.data.length < windows.n * length * features) {
      throw new PrognosError(
        'INVALID_INPUT',
        `window data holds ${windows.data.length} values, expected ${windows.n * length * features}`,
      );
    }
  }

  private run(
    windows: Windows,
    withAttention: boolean,
    batchSize: number,
  ): { prob: Float32Array; alpha: Float32Array | null } {
    this.check();
    requireBackend();
    this.checkWindows(windows);
    const rt = lstmRuntime();
    const { features, length } = this.architecture;
    const outputs = this.architecture.outputs ?? 1;
    const prob = new Float32Array(windows.n * outputs);
    const alpha = withAttention ? new Float32Array(windows.n * length) : null;
    for (let from = 0; from < windows.n; from += batchSize) {
      const to = Math.min(windows.n, from + batchSize);
      const xt = rt.gatherTensor(windows.data, length, features, null, from, to);
      let r: { prob: Float32Array; alpha: Float32Array | null };
      try {
        r = rt.forward(this.members[0]!, xt, withAttention);
        if (this.members.length > 1) {
          // the mean over members, summed in member order (float64, then rounded once)
          const K = this.members.length;
          const p = Float64Array.from(r.prob);
          const a = r.alpha === null ? null : Float64Array.from(r.alpha);
          for (let k = 1; k < K; k++) {
            const rk = rt.forward(this.members[k]!, xt, withAttention);
            for (let i = 0; i < p.length; i++) p[i]! += rk.prob[i]!;
            if (a !== null && rk.alpha !== null) for (let i = 0; i < a.length; i++) a[i]! += rk.alpha[i]!;
          }
          r = { prob: Float32Array.from(p, (v) => v / K), alpha: a === null ? null : Float32Array.from(a, (v) => v / K) };
        }
      } finally {
        xt.dispose();
      }
      prob.set(r.prob, from * outputs);
      if (alpha !== null && r.alpha !== null) alpha.set(r.alpha, from * length);
    }
    return { prob, alpha };
  }

  /**
   * Probability of failure within the label window, one per window (with `outputs` 2, two per
   * window: the probability, then the predicted RUL fraction).
   */
  predict(windows: Windows, opts: PredictOptions = {}): Float32Array {
    return this.run(windows, false, opts.batchSize ?? 512).prob;
  }

  /** Attention weights [n, length] (each row sums to 1) and the probabilities. */
  attention(windows: Windows, opts: PredictOptions = {}): { weights: Float32Array; prob: Float32Array } {
    const r = this.run(windows, true, opts.batchSize ?? 512);
    return { weights: r.alpha!, prob: r.prob };
  }

  /** JSON description plus the weights as little-endian float32 bytes. */
  serialize(): { json: LstmModelJson; weights: Uint8Array } {
    const members = this.memberArrays();
    const K = members.length;
    const shapes = weightShapes(this.architecture);
    const total = members.reduce((s, arrays) => s + arrays.reduce((t, a) => t + a.length, 0), 0);
    const bytes = new Uint8Array(total * 4);
    const view = new DataView(bytes.buffer);
    const tensors: LstmModelJson['tensors'] = [];
    let offset = 0;
    members.forEach((arrays, m) =>
      arrays.forEach((a, i) => {
        tensors.push({ name: K === 1 ? WEIGHT_ORDER[i]! : `m${m}/${WEIGHT_ORDER[i]!}`, shape: [...shapes[i]!], offset });
        for (let k = 0; k < a.length; k++) view.setFloat32(offset + 4 * k, a[k]!, true);
        offset += 4 * a.length;
      }),
    );
    const json: LstmModelJson = {
      format: 'prognos-lstm',
      version: K === 1 ? 1 : 2,
      ...(K === 1 ? {} : { members: K }),
      architecture: { ...this.architecture },
      gateOrder: 'ifco',
      recurrentActivation: 'sigmoid',
      tensors,
      byteLength: bytes.length,
    };
    if (this.trainedOn !== undefined) json.backend = this.trainedOn;
    return { json, weights: bytes };
  }

  /** Rebuilds a serialized model; refuses a description that does not match its bytes. */
  static load(json: LstmModelJson, weights: Uint8Array): LstmModel {
    const bad = (why: string): PrognosError => new PrognosError('INVALID_INPUT', `LSTM model file: ${why}`);
    if (json.format !== 'prognos-lstm') throw bad(`unknown format ${String(json.format)}`);
    if (json.version !== 1 && json.version !== 2) throw bad(`unsupported version ${String(json.version)}`);
    const K = json.version === 1 ? 1 : json.members;
    if (K === undefined || !Number.isInteger(K) || K < 1 || K > MAX_MEMBERS) throw bad(`members must be a whole number in 1–${MAX_MEMBERS}, got ${String(K)}`);
    if (weights.length !== json.byteLength)
      throw bad(`${weights.length} weight bytes, the description says ${json.byteLength}`);
    const architecture = json.architecture;
    checkArchitecture(architecture);
    const shapes = weightShapes(architecture);
    const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
    const memberArrays = Array.from({ length: K }, (_, m) => WEIGHT_ORDER.map((weight, i) => {
      const name = json.version === 1 ? weight : `m${m}/${weight}`;
      const t = json.tensors.find((x) => x.name === name);
      if (t === undefined) throw bad(`missing tensor ${name}`);
      if (t.shape.join(',') !== shapes[i]!.join(','))
        throw bad(`tensor ${name} has shape [${t.shape.join(', ')}], expected [${shapes[i]!.join(', ')}]`);
      const n = sizeOf(t.shape);
      if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + 4 * n > weights.length)
        throw bad(`tensor ${name} lies outside the weight bytes`);
      const a = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        const v = view.getFloat32(t.offset + 4 * k, true);
        if (!Number.isFinite(v)) throw bad(`tensor ${name} holds a non-finite value`);
        a[k] = v;
      }
      return a;
    }));
    const m = new LstmModel(architecture, memberArrays);
    m.trainedOn = json.backend;
    return m;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const vars of this.members) for (const v of vars) v.dispose();
  }

  private check(): void {
    if (this.disposed) throw new PrognosError('INVALID_INPUT', 'the LSTM model was disposed');
  }
}

function flatten(w: LstmWeights): Float32Array[] {
  return [
    w.lstm1.kernel.data,
    w.lstm1.recurrentKernel.data,
    w.lstm1.bias.data,
    w.lstm2.kernel.data,
    w.lstm2.recurrentKernel.data,
    w.lstm2.bias.data,
    w.attention.W.data,
    w.attention.b.data,
    w.attention.v.data,
    w.dense.kernel.data,
    w.dense.bias.data,
  ].map((a) => Float32Array.from(a));
}

export function checkArchitecture(a: LstmArchitecture): void {
  const ints: ('features' | 'units1' | 'units2' | 'attentionUnits' | 'length')[] = ['features', 'units1', 'units2', 'attentionUnits', 'length'];
  for (const k of ints) {
    const v = a[k];
    if (!Number.isInteger(v) || v < 1)
      throw new PrognosError('INVALID_INPUT', `LSTM architecture: ${k} must be an integer ≥ 1, got ${String(v)}`);
  }
  if (a.outputs !== undefined && !(Number.isInteger(a.outputs) && a.outputs >= 1 && a.outputs <= 2))
    throw new PrognosError('INVALID_INPUT', `LSTM architecture: outputs must be 1 or 2, got ${String(a.outputs)}`);
  if (!(a.dropout >= 0 && a.dropout < 1))
    throw new PrognosError('INVALID_INPUT', `LSTM architecture: dropout must be in [0, 1), got ${String(a.dropout)}`);
}
