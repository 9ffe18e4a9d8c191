/**
 * Training of the LSTM + attention model: Adam on class-weighted binary cross-entropy, seeded
 * shuffles and dropout masks, early stopping on the validation loss with the best weights
 * restored. In `fraction` mode the targets are real numbers in [0, 1] (e.g. RUL / cap): the same
 * cross-entropy without class weights, a proper loss whose minimiser σ(z) is the expected fraction. Each batch is computed as two fixed halves (see pool.ts), on two threads when the wasm
 * backend and a second core are available; the result does not depend on the thread count.
 */
import { meanLogLoss } from '../../../../shared/ensemble-choice';
import { availableParallelism } from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import { FlatAdam } from './adam';
import { PrognosError } from '../../../../shared/errors';
import { shuffleInPlace } from '../../split';
import type { Windows } from '../../windows';
import { selectBackendDetailed, type LstmBackend } from './backend';
import { rngStream, weightShapes } from './init';
import { LstmModel, lstmRuntime, type LstmArchitecture } from './model';
import { resolveLstmParams, type LstmParams, type LstmParamsInput } from './params';
import { concatFlat, GradientPool, localGradients, type ShardGradients, type ShardRequest } from './pool';

/** Views of one flat buffer, one per weight. */
function viewsOf(flat: Float32Array, shapes: readonly number[][]): Float32Array[] {
  const out: Float32Array[] = [];
  let o = 0;
  for (const s of shapes) {
    const n = s.reduce((a, b) => a * b, 1);
    out.push(flat.subarray(o, o + n));
    o += n;
  }
  return out;
}

export interface LabelledWindows extends Windows {
  /** 0/1 label per window; in `fraction` mode a target in [0, 1] per window */
  readonly labels: ArrayLike<number>;
  /** in `joint` mode: the second target, a fraction in [0, 1] per window (e.g. min(RUL, cap) / cap) */
  readonly fractions?: ArrayLike<number>;
  /**
   * Validation set only: the weight of each window in the validation loss that early stopping reads
   * (e.g. the chance that a unit is cut at the window's row). Every window weighs 1 without it;
   * `joint` mode ignores them.
   */
  readonly weights?: ArrayLike<number>;
}

/**
 * What the model learns: `class` (0/1 labels, class-weighted, both classes required), `fraction`
 * (targets in [0, 1], unweighted; the output σ(z) is the predicted fraction), or `joint` (both on one
 * network with two dense outputs on the shared attention context: output 0 learns the labels as
 * `class` does, output 1 the `fractions` as `fraction` does; the loss is the sum of the two).
 */
export type LstmTarget = 'class' | 'fraction' | 'joint';

export interface BatchProgress {
  /** 1-based */
  epoch: number;
  /** 1-based within the epoch */
  batch: number;
  batches: number;
  /** weighted loss of this batch */
  loss: number;
  /** estimate for the rest of the training (all remaining epochs, before early stopping) */
  etaSeconds: number;
}

export interface EpochProgress {
  /** 1-based */
  epoch: number;
  epochs: number;
  /** mean weighted training loss */
  loss: number;
  /** mean (unweighted) binary cross-entropy on the validation windows (soft targets in fraction mode; the sum of both in joint mode) */
  valLoss: number;
  seconds: number;
  /** estimate for the remaining epochs (early stopping may end sooner) */
  etaSeconds: number;
  /** best epoch so far (1-based) */
  bestEpoch: number;
}

export interface TrainLstmHooks {
  signal?: AbortSignal;
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (p: EpochProgress) => void;
  /** threads for the two batch halves (default: 2 when available; only used on the wasm backend) */
  threads?: number;
  /** backend preference passed to selectBackend (default: the fastest available) */
  backend?: LstmBackend;
  /** what the labels are (default class) */
  target?: LstmTarget;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  seconds: number;
}

export interface LstmTrainResult {
  model: LstmModel;
  history: EpochRecord[];
  /** 1-based epoch whose weights the model holds */
  bestEpoch: number;
  bestValLoss: number;
  stoppedEarly: boolean;
  backend: LstmBackend;
  /** which implementation ran: the fused wasm kernels (with the SIMD passes or JS loops) or standard tfjs ops */
  kernels: 'fused-simd' | 'fused-js' | 'composite';
  /** threads that computed the batches */
  threads: number;
  /** why a second thread was not used, if it was not */
  threadNote: string | null;
  params: LstmParams;
  /** what the model was trained to predict */
  target: LstmTarget;
  /** weight of a positive training window (negatives weigh 1; 1 in fraction mode) */
  positiveWeight: number;
  seconds: number;
}

const EPS = 1e-7;

function cancelled(): PrognosError {
  return new PrognosError('CANCELLED', 'LSTM training cancelled.');
}

function checkSet(name: string, w: LabelledWindows, target: LstmTarget, ref?: Windows): void {
  if (w.n < 1) throw new PrognosError('INVALID_INPUT', `the ${name} set has no windows`);
  if (w.labels.length !== w.n)
    throw new PrognosError('INVALID_INPUT', `the ${name} set has ${w.n} windows but ${w.labels.length} labels`);
  if (w.data.length < w.n * w.length * w.features)
    throw new PrognosError('INVALID_INPUT', `the ${name} window data is too short`);
  if (ref !== undefined && (ref.length !== w.length || ref.features !== w.features)) {
    throw new PrognosError(
      'INVALID_INPUT',
      `the ${name} windows are ${w.length} × ${w.features}, the training windows ${ref.length} × ${ref.features}`,
    );
  }
  for (let i = 0; i < w.n; i++) {
    const v = w.labels[i];
    if (target === 'fraction') {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new PrognosError(
          'INVALID_INPUT',
          `the ${name} target of window ${i} is ${String(v)}, expected a fraction in [0, 1]`,
        );
    } else if (v !== 0 && v !== 1) {
      throw new PrognosError('INVALID_INPUT', `the ${name} label of window ${i} is ${String(v)}, expected 0 or 1`);
    }
  }
  if (target !== 'joint') return;
  const f = w.fractions;
  if (f === undefined || f.length !== w.n)
    throw new PrognosError(
      'INVALID_INPUT',
      `the ${name} set needs one fraction per window for joint training (${w.n} windows, ${f?.length ?? 0} fractions)`,
    );
  for (let i = 0; i < w.n; i++) {
    const v = f[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new PrognosError(
        'INVALID_INPUT',
        `the ${name} fraction of window ${i} is ${String(v)}, expected a number in [0, 1]`,
      );
  }
}

/** Every `outputs`-th value from `offset` (one output column of interleaved predictions). */
function column(p: Float32Array, outputs: number, offset: number): Float32Array {
  if (outputs === 1) return p;
  const out = new Float32Array(p.length / outputs);
  for (let i = 0; i < out.length; i++) out[i] = p[i * outputs + offset]!;
  return out;
}

/** Mean binary cross-entropy of probabilities (clipped to [1e-7, 1 − 1e-7]): the ensemble choice's log-loss. */
export const meanBce: (p: ArrayLike<number>, y: ArrayLike<number>) => number = meanLogLoss;

/**
 * Mean binary cross-entropy with soft targets y in [0, 1] (probabilities clipped as in meanBce):
 * −[y·log p + (1 − y)·log(1 − p)], minimal at p = y; equals meanBce for 0/1 targets.
 */
export function meanSoftBce(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    const t = y[i]!;
    s -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
  }
  return p.length === 0 ? 0 : s / p.length;
}

/** Weighted mean of per-window losses: Σ w·loss / Σ w (the plain mean without weights). */
function weightedLoss(p: ArrayLike<number>, y: ArrayLike<number>, soft: boolean, w: ArrayLike<number> | undefined): number {
  if (w === undefined) return soft ? meanSoftBce(p, y) : meanBce(p, y);
  let s = 0;
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    const t = y[i]!;
    s -= w[i]! * (t * Math.log(q) + (1 - t) * Math.log(1 - q));
    total += w[i]!;
  }
  return total > 0 ? s / total : 0;
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function trainLstm(
  train: LabelledWindows,
  valid: LabelledWindows,
  paramsInput: LstmParamsInput | Partial<LstmParams> = {},
  hooks: TrainLstmHooks = {},
): Promise<LstmTrainResult> {
  const started = performance.now();
  const params = resolveLstmParams(paramsInput);
  const target = hooks.target ?? 'class';
  if (target !== 'class' && target !== 'fraction' && target !== 'joint') {
    throw new PrognosError('INVALID_INPUT', `LSTM target must be class, fraction or joint, got ${String(target)}`);
  }
  const fraction = target === 'fraction';
  const outputs = target === 'joint' ? 2 : 1;
  checkSet('training', train, target);
  checkSet('validation', valid, target, train);
  if (valid.weights !== undefined) {
    if (valid.weights.length !== valid.n) throw new PrognosError('INVALID_INPUT', `the validation set has ${valid.n} windows but ${valid.weights.length} weights`);
    let total = 0;
    for (let i = 0; i < valid.n; i++) {
      const w = valid.weights[i]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new PrognosError('INVALID_INPUT', `the validation weight of window ${i} is ${String(w)}, expected a finite number ≥ 0`);
      total += w;
    }
    if (!(total > 0)) throw new PrognosError('INVALID_INPUT', 'the validation weights are all zero');
  }
  const { signal } = hooks;
  if (isAborted(signal)) throw cancelled();
  let positiveWeight = 1;
  if (!fraction) {
    let positives = 0;
    for (let i = 0; i < train.n; i++) positives += train.labels[i]!;
    if (positives === 0 || positives === train.n) {
      throw new PrognosError(
        'INVALID_INPUT',
        `the training windows are all ${positives === 0 ? 'negative' : 'positive'}; a classifier needs both classes`,
      );
    }
    positiveWeight = params.classWeight === 'balanced' ? (train.n - positives) / positives : params.classWeight;
  }

  const { backend } = await selectBackendDetailed(hooks.backend === undefined ? {} : { prefer: hooks.backend });
  if (isAborted(signal)) throw cancelled();
  const arch: LstmArchitecture = {
    features: train.features,
    length: train.length,
    units1: params.units1,
    units2: params.units2,
    attentionUnits: params.attentionUnits,
    dropout: params.dropout,
  };
  if (outputs !== 1) arch.outputs = outputs;
  const shapes = weightShapes(arch);
  const runtime = lstmRuntime();
  const model = LstmModel.create(arch, params.seed);
  model.trainedOn = backend;
  const master = concatFlat(model.weightArrays());
  const masterViews = viewsOf(master, shapes);
  const gradFlat = new Float32Array(master.length);
  const gradViews = viewsOf(gradFlat, shapes);
  const optimizer = new FlatAdam(master.length, params.learningRate);
  const wantThreads = Math.max(1, Math.min(2, hooks.threads ?? availableParallelism()));
  const helpers = backend === 'wasm' && runtime.fused() ? wantThreads - 1 : 0;
  const pool = await GradientPool.start({ dims: arch, length: arch.length, shapes, train, valid }, helpers, runtime);
  const threadNote =
    pool.threads > 1 ? null : backend === 'wasm' ? pool.failure : `the ${backend} backend parallelises on its own`;

  const keep = 1 - params.dropout;
  const shuffleRng = rngStream(params.seed, 2);
  const dropRng = rngStream(params.seed, 3);
  const order = Array.from({ length: train.n }, (_, i) => i);
  const batchSize = Math.min(params.batchSize, train.n);
  const batches = Math.ceil(train.n / batchSize);
  const history: EpochRecord[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  let wait = 0;
  let stoppedEarly = false;
  let batchSeconds = 0;
  let batchesDone = 0;

  const remoteGradients = async (weightsFlat: Float32Array, req: ShardRequest): Promise<ShardGradients> => {
    try {
      return await pool.gradients(weightsFlat, req);
    } catch {
      // the helper is gone: compute the shard here (same numbers)
      return localGradients(runtime, local, model.variables(), train, req);
    }
  };

  const forwardChunk = (vars: readonly tf.Tensor[], set: LabelledWindows, from: number, to: number): Float32Array => {
    const xt = runtime.gatherTensor(set.data, arch.length, arch.features, null, from, to);
    try {
      return runtime.forward(vars, xt, false).prob;
    } finally {
      xt.dispose();
    }
  };
  const local = { length: arch.length, dims: arch };

  const predictSet = async (set: LabelledWindows, name: 'train' | 'valid'): Promise<Float32Array> => {
    const vars = model.variables();
    const out = new Float32Array(set.n * outputs);
    const half = pool.threads > 1 ? Math.ceil(set.n / 2) : set.n;
    const weightsFlat = pool.threads > 1 ? master : null;
    const remote =
      weightsFlat !== null && half < set.n
        ? pool.predict(weightsFlat, name, half, set.n).catch(() => null)
        : Promise.resolve(null);
    const chunk = 512; // the helper thread and model.predict use the same batch size
    for (let from = 0; from < half; from += chunk) {
      const to = Math.min(half, from + chunk);
      out.set(forwardChunk(vars, set, from, to), from * outputs);
    }
    const rest = await remote;
    if (rest !== null) out.set(rest, half * outputs);
    else if (half < set.n) {
      for (let from = half; from < set.n; from += chunk) {
        const to = Math.min(set.n, from + chunk);
        out.set(forwardChunk(vars, set, from, to), from * outputs);
      }
    }
    return out;
  };

  const threads = pool.threads;
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const epochStart = performance.now();
      shuffleInPlace(order, shuffleRng);
      let lossSum = 0;
      for (let bi = 0; bi < batches; bi++) {
        if (isAborted(signal)) throw cancelled();
        const t0 = performance.now();
        const from = bi * batchSize;
        const to = Math.min(train.n, from + batchSize);
        const nb = to - from;
        const half = Math.ceil(nb / 2);
        const rows = Int32Array.from(order.slice(from, to));
        const y = new Float32Array(nb * outputs);
        const w = new Float32Array(nb * outputs);
        for (let k = 0; k < nb; k++) {
          const label = train.labels[rows[k]!]!;
          y[k * outputs] = label;
          w[k * outputs] = fraction ? 1 / nb : (label === 1 ? positiveWeight : 1) / nb;
          if (outputs === 2) {
            y[k * 2 + 1] = train.fractions![rows[k]!]!;
            w[k * 2 + 1] = 1 / nb;
          }
        }
        let mask: Float32Array | null = null;
        if (params.dropout > 0) {
          mask = new Float32Array(nb * arch.units2);
          for (let k = 0; k < mask.length; k++) mask[k] = dropRng() < keep ? 1 / keep : 0;
        }
        const shard = (a: number, b: number): ShardRequest => ({
          rows: rows.slice(a, b),
          y: y.slice(a * outputs, b * outputs),
          w: w.slice(a * outputs, b * outputs),
          mask: mask === null ? null : mask.slice(a * arch.units2, b * arch.units2),
        });
        const remote = pool.threads > 1 && half < nb ? remoteGradients(master, shard(half, nb)) : null;
        const g0 = localGradients(runtime, local, model.variables(), train, shard(0, half));
        const g1 =
          remote !== null
            ? await remote
            : half < nb
              ? localGradients(runtime, local, model.variables(), train, shard(half, nb))
              : null;
        let batchLoss = g0.loss;
        g0.grads.forEach((g, i) => gradViews[i]!.set(g));
        if (g1 !== null) {
          batchLoss += g1.loss;
          g1.grads.forEach((g, i) => {
            const sum = gradViews[i]!;
            for (let k = 0; k < g.length; k++) sum[k] = sum[k]! + g[k]!;
          });
        }
        optimizer.step(master, gradFlat);
        model.setWeightArrays(masterViews);
        lossSum += batchLoss * nb;
        batchSeconds += (performance.now() - t0) / 1000;
        batchesDone++;
        const remainingBatches = batches - (bi + 1) + (params.epochs - epoch) * batches;
        hooks.onBatch?.({
          epoch,
          batch: bi + 1,
          batches,
          loss: batchLoss,
          etaSeconds: (batchSeconds / batchesDone) * remainingBatches,
        });
        if (pool.threads === 1) await yieldToEventLoop();
      }
      if (isAborted(signal)) throw cancelled();
      const pv = await predictSet(valid, 'valid');
      const valLoss =
        target === 'joint'
          ? meanBce(column(pv, 2, 0), valid.labels) + meanSoftBce(column(pv, 2, 1), valid.fractions!)
          : weightedLoss(pv, valid.labels, fraction, valid.weights);
      const loss = lossSum / train.n;
      const seconds = (performance.now() - epochStart) / 1000;
      history.push({ epoch, loss, valLoss, seconds });
      if (!Number.isFinite(loss) || !Number.isFinite(valLoss)) {
        throw new PrognosError(
          'INTERNAL',
          `LSTM training diverged at epoch ${epoch} (loss ${loss}, validation loss ${valLoss}); try a lower learning rate`,
        );
      }
      if (valLoss < best) {
        best = valLoss;
        bestEpoch = epoch;
        bestWeights = model.weightArrays();
        wait = 0;
      } else {
        wait++;
      }
      const meanEpoch = history.reduce((s, h) => s + h.seconds, 0) / history.length;
      hooks.onEpoch?.({
        epoch,
        epochs: params.epochs,
        loss,
        valLoss,
        seconds,
        etaSeconds: meanEpoch * (params.epochs - epoch),
        bestEpoch,
      });
      if (params.patience > 0 && wait >= params.patience && epoch < params.epochs) {
        stoppedEarly = true;
        break;
      }
    }
    if (bestWeights !== null) model.setWeightArrays(bestWeights);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await pool.close();
  }
  return {
    model,
    history,
    bestEpoch,
    bestValLoss: best,
    stoppedEarly,
    backend,
    kernels: runtime.fused() ? (runtime.simdActive() ? 'fused-simd' : 'fused-js') : 'composite',
    threads,
    threadNote,
    params,
    target,
    positiveWeight,
    seconds: (performance.now() - started) / 1000,
  };
}
