/**
 * `lstm-epoch` and `lstm-infer` on FD001 (train_FD001.txt through the importer, default feature
 * spec, 40 features, scaler fitted on the training units, 30-cycle windows; ~14.5 k training
 * windows from the 70 training units, ~2.6 k validation windows).
 *
 * - lstm-epoch: seconds per epoch (training pass + validation pass) of trainLstm on the fallback
 *   (wasm) backend, beside PyTorch (same architecture, data, batch size, float32, two threads);
 *   lstm-epoch-torch-1-thread beside the same PyTorch run on one thread, and
 *   lstm-epoch-tfjs-layers beside the generic tfjs-layers LSTM model on the same backend (a few
 *   timed batches and a validation slice, extrapolated to an epoch).
 * - lstm-epoch-rul-joint: seconds per epoch of the classifier and the RUL head trained together
 *   (target 'joint': one network, two dense outputs, class-weighted BCE + soft BCE on
 *   min(RUL, 125) / 125), beside the classification-only epoch of the same run (target ≤ 1.3×).
 * - lstm-infer: seconds to score every window of train_FD001 (one window per row) on two threads,
 *   beside PyTorch on two threads.
 * Epoch 1 of each trainer includes start-up work (JIT, helper thread, allocator) and is left out;
 * each trainer's figure is its fastest later epoch (other load on the machine only ever adds time,
 * and PyTorch's OpenMP threads suffer badly from it), the note lists every epoch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  buildLayersModel,
  DEFAULT_LSTM_PARAMS,
  predictParallel,
  selectBackend,
  trainLstm,
  type LabelledWindows,
} from '../../src/main/core/models/lstm';
import type { Figure } from '../figures';
import { parseTrainConfig } from '../../src/main/core/pipeline/config';
import { rulPerRow } from '../../src/main/core/labels';
import { loadFd001, type Fd001Set } from './fd001';
import { runTorchReference, torchAvailable, type TorchResult } from './torch-reference';

export interface LstmBenchOptions {
  /** epochs per trainer (≥ 2; the figure is the fastest of epochs 2..n), default 4 */
  epochs?: number;
  /** timed batches of the generic tfjs-layers model (after one warm-up batch), default 3 */
  genericBatches?: number;
  /** skip the generic tfjs-layers baseline */
  skipGeneric?: boolean;
  /** also run PyTorch on one thread (default true) */
  torchOneThread?: boolean;
  /** skip the joint classification + RUL run */
  skipJoint?: boolean;
  log?: (line: string) => void;
}

function fastest(xs: number[]): number {
  return Math.min(...xs);
}

function list(xs: number[]): string {
  return xs.map((s) => s.toFixed(1)).join(', ');
}

function batchMajor(w: LabelledWindows, from: number, to: number): tf.Tensor3D {
  return tf.tensor3d(w.data.subarray(from * w.length * w.features, to * w.length * w.features), [
    to - from,
    w.length,
    w.features,
  ]);
}

/** Seconds per epoch of the tfjs-layers model, extrapolated from a few batches and a validation slice. */
async function genericEpoch(
  train: LabelledWindows,
  valid: LabelledWindows,
  timedBatches: number,
): Promise<{ seconds: number; batchSeconds: number }> {
  const p = DEFAULT_LSTM_PARAMS;
  const model = buildLayersModel({
    features: train.features,
    length: train.length,
    units1: p.units1,
    units2: p.units2,
    attentionUnits: p.attentionUnits,
    dropout: p.dropout,
  });
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: 'binaryCrossentropy' });
  const B = p.batchSize;
  const batch = (k: number): { x: tf.Tensor3D; y: tf.Tensor2D } => {
    const from = (k * B) % Math.max(1, train.n - B);
    const y = tf.tensor2d(
      Array.from({ length: B }, (_, i) => train.labels[from + i]!),
      [B, 1],
    );
    return { x: batchMajor(train, from, from + B), y };
  };
  try {
    const warm = batch(0);
    await model.trainOnBatch(warm.x, warm.y);
    tf.dispose([warm.x, warm.y]);
    let spent = 0;
    for (let k = 1; k <= timedBatches; k++) {
      const { x, y } = batch(k);
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      spent += performance.now() - t0;
      tf.dispose([x, y]);
    }
    const batchSeconds = spent / 1000 / timedBatches;
    const slice = Math.min(valid.n, 1024);
    const xv = batchMajor(valid, 0, slice);
    const t0 = performance.now();
    const pv = model.predict(xv, { batchSize: 1024 }) as tf.Tensor;
    pv.dataSync();
    const validSeconds = ((performance.now() - t0) / 1000) * (valid.n / slice);
    tf.dispose([xv, pv]);
    return { seconds: batchSeconds * Math.ceil(train.n / B) + validSeconds, batchSeconds };
  } finally {
    model.dispose();
  }
}

export async function benchLstm(o: LstmBenchOptions = {}): Promise<Figure[]> {
  const log = o.log ?? ((): void => undefined);
  const epochs = Math.max(2, o.epochs ?? 4);
  const backend = await selectBackend({ prefer: 'wasm' });
  const fd = await loadFd001({ rank: false });
  const all = fd.all();
  log(
    `FD001: ${fd.train.n} training, ${fd.valid.n} validation, ${all.n} inference windows of ${fd.train.length} × ${fd.train.features}; backend ${backend}`,
  );
  const p = DEFAULT_LSTM_PARAMS;

  let generic: { seconds: number; batchSeconds: number } | undefined;
  if (o.skipGeneric !== true) {
    generic = await genericEpoch(fd.train, fd.valid, o.genericBatches ?? 3);
    log(
      `tfjs-layers generic: ${generic.batchSeconds.toFixed(3)} s per batch → ${generic.seconds.toFixed(1)} s per epoch (extrapolated)`,
    );
  }

  const ours = await trainLstm(fd.train, fd.valid, { epochs, patience: 0 }, { backend: 'wasm' });
  const oursEpochs = ours.history.map((h) => h.seconds);
  log(`ours: epochs ${oursEpochs.map((s) => s.toFixed(2)).join(', ')} s on ${ours.threads} thread(s)`);

  let jointEpochs: number[] | undefined;
  if (o.skipJoint !== true) {
    const cap = parseTrainConfig({}).rul.cap;
    const rul = rulPerRow(fd.table);
    const withFractions = (s: Fd001Set): Fd001Set & { fractions: Float32Array } => ({
      ...s,
      fractions: Float32Array.from(s.rows, (r) => Math.min(rul[r]!, cap) / cap),
    });
    const joint = await trainLstm(
      withFractions(fd.train),
      withFractions(fd.valid),
      { epochs, patience: 0 },
      { backend: 'wasm', target: 'joint' },
    );
    jointEpochs = joint.history.map((h) => h.seconds);
    joint.model.dispose();
    log(`ours, classification + RUL (joint): epochs ${list(jointEpochs)} s on ${joint.threads} thread(s)`);
  }
  predictWarm(ours.model, fd.valid);
  let t0 = performance.now();
  ours.model.predict(all);
  const oursInferOne = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await predictParallel(ours.model, all, { threads: 2 });
  const oursInfer = (performance.now() - t0) / 1000;
  ours.model.dispose();
  log(
    `ours: inference over ${all.n} windows ${oursInfer.toFixed(2)} s on two threads, ${oursInferOne.toFixed(2)} s on one`,
  );

  let torch: TorchResult | undefined;
  let torch1: TorchResult | undefined;
  let torchNote = '';
  if (torchAvailable()) {
    const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-lstm-'));
    const run = (threads: number): TorchResult => {
      const r = runTorchReference({
        dir,
        train: fd.train,
        valid: fd.valid,
        infer: all,
        epochs,
        batchSize: p.batchSize,
        inferBatch: 512,
        units1: p.units1,
        units2: p.units2,
        attentionUnits: p.attentionUnits,
        dropout: p.dropout,
        learningRate: p.learningRate,
        threads,
      });
      log(
        `PyTorch ${r.version} on ${threads} thread(s): epochs ${list(r.epochs)} s; inference ${r.infer.toFixed(2)} s`,
      );
      return r;
    };
    try {
      torch = run(2);
      if (o.torchOneThread !== false) torch1 = run(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    torchNote = '; PyTorch reference not run: /usr/bin/python3 cannot import torch (apt-get install python3-torch)';
  }

  const epochSeconds = fastest(oursEpochs.slice(1));
  const figures: Figure[] = [];
  const base =
    `wasm backend, ${ours.threads} threads, batch ${p.batchSize}, ${fd.train.n} training + ${fd.valid.n} validation windows, fastest of epochs 2..${epochs}; ` +
    `epochs ours ${list(oursEpochs)} s` +
    (torch === undefined ? '' : `, PyTorch ${list(torch.epochs)} s`);
  const versus = (r: TorchResult | undefined, threads: number): Partial<Figure> => {
    if (r === undefined) return {};
    const ref = fastest(r.epochs.slice(1));
    return {
      reference: { name: `PyTorch ${r.version} (${threads} thread${threads > 1 ? 's' : ''})`, value: ref, unit: 's' },
      ratio: epochSeconds / ref,
    };
  };
  figures.push({ name: 'lstm-epoch', value: epochSeconds, unit: 's', ...versus(torch, 2), note: base + torchNote });
  if (torch1 !== undefined) {
    figures.push({
      name: 'lstm-epoch-torch-1-thread',
      value: epochSeconds,
      unit: 's',
      ...versus(torch1, 1),
      note:
        `the same PyTorch script with torch.set_num_threads(1): epochs ${list(torch1.epochs)} s` +
        (torch !== undefined && fastest(torch1.epochs.slice(1)) < fastest(torch.epochs.slice(1))
          ? ' (faster than its two-thread run here)'
          : ''),
    });
  }
  if (generic !== undefined) {
    figures.push({
      name: 'lstm-epoch-tfjs-layers',
      value: epochSeconds,
      unit: 's',
      reference: { name: 'tfjs-layers generic LSTM (wasm)', value: generic.seconds, unit: 's' },
      ratio: epochSeconds / generic.seconds,
      note: `tfjs-layers epoch extrapolated from ${o.genericBatches ?? 3} timed batches (${generic.batchSeconds.toFixed(2)} s each) and a validation slice`,
    });
  }
  if (jointEpochs !== undefined) {
    figures.push({
      name: 'lstm-epoch-rul-joint',
      value: fastest(jointEpochs.slice(1)),
      unit: 's',
      reference: { name: 'classification-only epoch (same run)', value: epochSeconds, unit: 's' },
      ratio: fastest(jointEpochs.slice(1)) / epochSeconds,
      note: `classifier + RUL fraction (min(RUL, 125) / 125) as two outputs of one network, fastest of epochs 2..${epochs}: epochs ${list(jointEpochs)} s; target ratio ≤ 1.3`,
    });
  }
  figures.push({
    name: 'lstm-infer',
    value: oursInfer,
    unit: 's',
    ...(torch === undefined
      ? {}
      : {
          reference: { name: `PyTorch ${torch.version} (2 threads)`, value: torch.infer, unit: 's' },
          ratio: oursInfer / torch.infer,
        }),
    note:
      `${all.n} windows (every row of train_FD001) in batches of 512 on two threads (helper start-up included): ${(all.n / oursInfer).toFixed(0)} windows/s; ` +
      `one thread (model.predict) ${oursInferOne.toFixed(2)} s` +
      (torch === undefined ? torchNote : `; PyTorch ${(torch.inferWindows / torch.infer).toFixed(0)} windows/s`) +
      (torch1 === undefined ? '' : `, on one thread ${torch1.infer.toFixed(2)} s`),
  });
  return figures;
}

function predictWarm(model: { predict: (w: LabelledWindows) => Float32Array }, w: LabelledWindows): void {
  model.predict({ ...w, n: Math.min(w.n, 512) });
}

/** For bench/index.ts: `{ name: 'lstm', run: benchLstm }`. */
export const lstmBenchmark = { name: 'lstm', run: (): Promise<Figure[]> => benchLstm() };
