/**
 * LSTM with attention → ONNX (opset 17): two stacked ONNX LSTM ops, an additive attention over
 * time and a dense sigmoid head.
 *
 * Weights arrive in the Keras/tfjs layout: kernel [in, 4u], recurrentKernel [u, 4u], bias [4u], gate
 * blocks i, f, c, o. ONNX LSTM wants W [1, 4u, in], R [1, 4u, u], B [1, 8u] (input bias, then the
 * recurrent bias, zero here) with gate blocks i, o, f, c, so every block is transposed and moved.
 * Activations are written explicitly (Sigmoid, Tanh, Tanh): Keras' recurrent activation is the
 * exact logistic here, not tfjs' hardSigmoid default.
 *
 * Graph: windows [N, T, F] → Transpose → [T, N, F] → LSTM(u1) → Y [T, 1, N, u1] → Squeeze →
 * LSTM(u2) → Squeeze → Transpose → H [N, T, u2]; score = tanh(H·W + b)·v [N, T, 1]; α = softmax over
 * T; context = Σ_t α_t h_t [N, u2]; probability = sigmoid(context·kernel + bias) [N, 1].
 *
 * A model that averages several networks (members trained with different seeds) becomes one graph:
 * each member reads the same time-major windows and the output is the ONNX Mean of their
 * probabilities, as LstmModel.predict computes it.
 */
import { PrognosError } from '../../../shared/errors';
import { GraphBuilder, attr, DataType, encodeModel, MAX_ONNX_OPSET } from './onnx';

/** A dense row-major tensor. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** One Keras LSTM layer: kernel [in, 4u], recurrentKernel [u, 4u], bias [4u]; gates i, f, c, o. */
export interface KerasLstmLayer {
  readonly kernel: WeightTensor;
  readonly recurrentKernel: WeightTensor;
  readonly bias: WeightTensor;
}

/** Weights of the sequence model: lstm1 → lstm2 (full sequence) → attention → dense + sigmoid. */
export interface LstmAttentionWeights {
  readonly lstm1: KerasLstmLayer;
  readonly lstm2: KerasLstmLayer;
  /** score_t = v · tanh(W h_t + b): W [u2, a], b [a], v [a, 1] (or [a]). */
  readonly attention: { readonly W: WeightTensor; readonly b: WeightTensor; readonly v: WeightTensor };
  /** kernel [u2, 1], bias [1]. */
  readonly dense: { readonly kernel: WeightTensor; readonly bias: WeightTensor };
}

/** One network, or the members a model averages (same dimensions each). */
export type LstmMembers = LstmAttentionWeights | readonly LstmAttentionWeights[];

/** "mean of K networks (seeds), each " before a description of the network when there are several; else "". */
export function networksNote(count: number): string {
  return count === 1 ? '' : `mean of ${count} networks (seeds), each `;
}

/** The networks of `w`, in member order. */
export function membersOf(w: LstmMembers): readonly LstmAttentionWeights[] {
  const list = Array.isArray(w) ? (w as readonly LstmAttentionWeights[]) : [w as LstmAttentionWeights];
  if (list.length === 0) fail('no networks given');
  return list;
}

export interface LstmShape {
  /** Time steps per window (30 by default). */
  readonly window: number;
  /** Features per time step. */
  readonly features: number;
}

export interface LstmDims {
  readonly features: number;
  readonly units1: number;
  readonly units2: number;
  readonly attention: number;
}

export const LSTM_INPUT = 'windows';
export const LSTM_OUTPUT = 'probability';

/** ONNX gate block G (i, o, f, c) comes from Keras gate block KERAS_GATE_OF[G] (Keras order i, f, c, o). */
export const KERAS_GATE_OF: readonly number[] = [0, 3, 1, 2];

function fail(what: string): never {
  throw new PrognosError('INVALID_INPUT', `LSTM weights: ${what}`);
}

function checkShape(t: WeightTensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(`${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const n = shape.reduce((a, d) => a * d, 1);
  if (t.data.length !== n) fail(`${what} holds ${t.data.length} values, its shape needs ${n}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(t.data[i]!)) fail(`${what} holds a non-finite value at ${i}`);
}

/**
 * Checks every weight's shape against the others and the input width (every member's, which must
 * agree); returns the dimensions.
 */
export function lstmDims(w: LstmMembers, features: number): LstmDims {
  const list = membersOf(w);
  const dims = list.map((m, k) => {
    try {
      return memberDims(m, features);
    } catch (e) {
      if (list.length > 1 && e instanceof PrognosError) fail(`network ${k + 1} of ${list.length}: ${e.message.replace(/^LSTM weights: /, '')}`);
      throw e;
    }
  });
  const first = dims[0]!;
  dims.forEach((d, k) => {
    if (d.units1 !== first.units1 || d.units2 !== first.units2 || d.attention !== first.attention)
      fail(`network ${k + 1} of ${list.length} has other unit counts than network 1`);
  });
  return first;
}

function memberDims(w: LstmAttentionWeights, features: number): LstmDims {
  const u1 = w.lstm1.recurrentKernel.shape[0] ?? 0;
  const u2 = w.lstm2.recurrentKernel.shape[0] ?? 0;
  const a = w.attention.W.shape[1] ?? 0;
  if (!(u1 > 0 && u2 > 0 && a > 0)) fail('unit counts must be positive');
  checkShape(w.lstm1.kernel, [features, 4 * u1], 'lstm1.kernel');
  checkShape(w.lstm1.recurrentKernel, [u1, 4 * u1], 'lstm1.recurrentKernel');
  checkShape(w.lstm1.bias, [4 * u1], 'lstm1.bias');
  checkShape(w.lstm2.kernel, [u1, 4 * u2], 'lstm2.kernel');
  checkShape(w.lstm2.recurrentKernel, [u2, 4 * u2], 'lstm2.recurrentKernel');
  checkShape(w.lstm2.bias, [4 * u2], 'lstm2.bias');
  checkShape(w.attention.W, [u2, a], 'attention.W');
  checkShape(w.attention.b, [a], 'attention.b');
  checkShape(w.attention.v, w.attention.v.shape.length === 1 ? [a] : [a, 1], 'attention.v');
  checkShape(w.dense.kernel, [u2, 1], 'dense.kernel');
  checkShape(w.dense.bias, [1], 'dense.bias');
  return { features, units1: u1, units2: u2, attention: a };
}

/**
 * A Keras [rows, 4u] gate matrix (kernel or recurrent kernel) as the ONNX [4u, rows] matrix: ONNX
 * row G·u + j, column k = Keras row k, column KERAS_GATE_OF[G]·u + j.
 */
export function kerasGateMatrixToOnnx(m: ArrayLike<number>, rows: number, units: number): Float32Array {
  const out = new Float32Array(4 * units * rows);
  for (let g = 0; g < 4; g++) {
    const kg = KERAS_GATE_OF[g]!;
    for (let j = 0; j < units; j++) {
      for (let k = 0; k < rows; k++) out[(g * units + j) * rows + k] = m[k * 4 * units + kg * units + j]!;
    }
  }
  return out;
}

/** ONNX B [8u]: the Keras bias reordered to i, o, f, c, then a zero recurrent bias. */
export function kerasBiasToOnnx(bias: ArrayLike<number>, units: number): Float32Array {
  const out = new Float32Array(8 * units);
  for (let g = 0; g < 4; g++) {
    const kg = KERAS_GATE_OF[g]!;
    for (let j = 0; j < units; j++) out[g * units + j] = bias[kg * units + j]!;
  }
  return out;
}

/** W [1, 4u, in], R [1, 4u, u], B [1, 8u] of one layer. */
export function onnxLstmTensors(layer: KerasLstmLayer, inputs: number, units: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  return {
    W: kerasGateMatrixToOnnx(layer.kernel.data, inputs, units),
    R: kerasGateMatrixToOnnx(layer.recurrentKernel.data, units, units),
    B: kerasBiasToOnnx(layer.bias.data, units),
  };
}

function addLstmLayer(b: GraphBuilder, x: string, layer: KerasLstmLayer, inputs: number, units: number, hint: string): string {
  const t = onnxLstmTensors(layer, inputs, units);
  const W = b.f32(`${hint}_W`, [1, 4 * units, inputs], t.W);
  const R = b.f32(`${hint}_R`, [1, 4 * units, units], t.R);
  const B = b.f32(`${hint}_B`, [1, 8 * units], t.B);
  const y = b.node(
    'LSTM',
    [x, W, R, B],
    [
      attr.strings('activations', ['Sigmoid', 'Tanh', 'Tanh']),
      attr.string('direction', 'forward'),
      attr.int('hidden_size', units),
      attr.int('layout', 0),
    ],
    { hint: `${hint}_Y` },
  );
  return b.node('Squeeze', [y, b.i64(`${hint}_axes`, [1], [1])], [], { hint: `${hint}_seq` });
}

/**
 * Adds the sequence model reading float [N, T, F] from `input`; returns the name of the float [N, 1]
 * probability (named `outputName` when given). Several members: the mean of their probabilities.
 */
export function addLstmAttention(b: GraphBuilder, input: string, w: LstmMembers, dims: LstmDims, outputName?: string): string {
  const list = membersOf(w);
  const seq = b.node('Transpose', [input], [attr.ints('perm', [1, 0, 2])], { hint: 'time_major' });
  if (list.length === 1) return addNetwork(b, seq, list[0]!, dims, '', outputName);
  const probs = list.map((m, k) => addNetwork(b, seq, m, dims, `m${k}_`));
  return b.node('Mean', probs, [], outputName === undefined ? { hint: 'lstm_probability' } : { outputs: [outputName] });
}

/** One network from the time-major windows `seq` to its probability [N, 1]. */
function addNetwork(b: GraphBuilder, seq: string, w: LstmAttentionWeights, dims: LstmDims, prefix: string, outputName?: string): string {
  const h1 = addLstmLayer(b, seq, w.lstm1, dims.features, dims.units1, `${prefix}lstm1`);
  const h2 = addLstmLayer(b, h1, w.lstm2, dims.units1, dims.units2, `${prefix}lstm2`);
  const H = b.node('Transpose', [h2], [attr.ints('perm', [1, 0, 2])], { hint: `${prefix}hidden` });
  const Wa = b.f32(`${prefix}attention_W`, [dims.units2, dims.attention], Array.from(w.attention.W.data));
  const ba = b.f32(`${prefix}attention_b`, [dims.attention], Array.from(w.attention.b.data));
  const va = b.f32(`${prefix}attention_v`, [dims.attention, 1], Array.from(w.attention.v.data));
  const proj = b.node('Add', [b.node('MatMul', [H, Wa]), ba]);
  const score = b.node('MatMul', [b.node('Tanh', [proj]), va], [], { hint: `${prefix}attention_score` });
  const alpha = b.node('Softmax', [score], [attr.int('axis', 1)], { hint: `${prefix}attention_weight` });
  const context = b.node('ReduceSum', [b.node('Mul', [alpha, H]), b.i64(`${prefix}time_axis`, [1], [1])], [attr.int('keepdims', 0)], {
    hint: `${prefix}context`,
  });
  const Wd = b.f32(`${prefix}dense_kernel`, [dims.units2, 1], Array.from(w.dense.kernel.data));
  const bd = b.f32(`${prefix}dense_bias`, [1], Array.from(w.dense.bias.data));
  const logit = b.node('Add', [b.node('MatMul', [context, Wd]), bd], [], { hint: `${prefix}lstm_logit` });
  return b.node('Sigmoid', [logit], [], outputName === undefined ? { hint: `${prefix}lstm_probability` } : { outputs: [outputName] });
}

export interface LstmOnnxOptions {
  readonly producerVersion?: string;
}

/** The sequence model alone: input `windows` float [N, window, features], output `probability` float [N, 1]. */
export function lstmToOnnx(weights: LstmMembers, shape: LstmShape, opts: LstmOnnxOptions = {}): Uint8Array {
  if (!Number.isInteger(shape.window) || shape.window < 1) fail(`window must be a positive integer, got ${shape.window}`);
  const dims = lstmDims(weights, shape.features);
  const b = new GraphBuilder('prognos_lstm');
  b.input(LSTM_INPUT, DataType.FLOAT, ['N', shape.window, shape.features], 'windows of standardised features, oldest row first');
  addLstmAttention(b, LSTM_INPUT, weights, dims, LSTM_OUTPUT);
  b.output(LSTM_OUTPUT, DataType.FLOAT, ['N', 1], 'probability of failure within the label window');
  return encodeModel({
    graph: b.build(`${networksNote(membersOf(weights).length)}LSTM(${dims.units1}) → LSTM(${dims.units2}) → attention(${dims.attention}) → dense + sigmoid`),
    opsets: [{ domain: '', version: MAX_ONNX_OPSET }],
    ...(opts.producerVersion === undefined ? {} : { producerVersion: opts.producerVersion }),
  });
}
