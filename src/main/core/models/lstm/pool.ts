/**
 * Data-parallel help for LSTM training on the wasm backend.
 *
 * Every batch is split into two fixed halves (shards). The calling thread computes the gradients
 * of shard 0 while one helper worker thread computes shard 1 with the same weights; the trainer
 * adds them in a fixed order (shard 0 + shard 1). Without a helper the calling thread computes
 * both shards one after the other, so the result is bit-for-bit the same with one or two threads.
 *
 * The helper is the built worker module out/main/lstm-pool-worker.js
 * (src/main/workers/lstm-pool-worker.ts; its protocol is pool-protocol.ts) with its own tfjs + wasm
 * instance; it reads the windows from SharedArrayBuffers (no per-batch data copies). On start it
 * computes a small gradient that must match the calling thread's bit for bit; a helper that cannot
 * start, fails or disagrees is dropped and training continues on one thread.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { LSTM_POOL_WORKER } from '../../../paths';
import type { Windows } from '../../windows';
import type { LstmPoolReply, LstmPoolRequestBody, LstmPoolStartup, LstmPoolWorkerData } from './pool-protocol';
import type { LstmRuntime, NetDims } from './runtime';

export interface ShardRequest {
  /** window indices into the training windows */
  rows: Int32Array;
  /** labels 0/1 per row (with two outputs, two per row: the label, then the fraction) */
  y: Float32Array;
  /** loss weight per row and output (divided by the full batch size) */
  w: Float32Array;
  /** dropout multipliers [rows, units2], or null */
  mask: Float32Array | null;
}

export interface ShardGradients {
  loss: number;
  /** gradients in WEIGHT_ORDER */
  grads: Float32Array[];
}

const STARTUP_TIMEOUT_MS = 60_000;

function toShared(data: Float32Array): Float32Array {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const sab = new SharedArrayBuffer(data.byteLength);
  const out = new Float32Array(sab);
  out.set(data);
  return out;
}

function sizes(shapes: readonly number[][]): number[] {
  return shapes.map((s) => s.reduce((a, b) => a * b, 1));
}

export function splitFlat(flat: Float32Array, shapes: readonly number[][]): Float32Array[] {
  const out: Float32Array[] = [];
  let o = 0;
  for (const n of sizes(shapes)) {
    out.push(flat.slice(o, o + n));
    o += n;
  }
  return out;
}

export function concatFlat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface PoolOptions {
  dims: NetDims;
  length: number;
  shapes: number[][];
  train: Windows;
  valid: Windows | null;
}

/** One helper thread computing shard 1 of every batch (and half of every prediction). */
export class GradientPool {
  private worker: Worker | null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: LstmPoolReply) => void; reject: (e: Error) => void }>();
  /** why the helper is not in use (null while it is) */
  failure: string | null = null;

  private readonly shapes: number[][];

  private constructor(worker: Worker | null, failure: string | null, shapes: number[][]) {
    this.worker = worker;
    this.shapes = shapes;
    this.failure = failure;
    worker?.on('message', (m: LstmPoolReply) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      w.resolve(m);
    });
    worker?.on('error', (e: Error) => this.fail(`helper thread error: ${e.message}`));
    worker?.on('exit', (code) => {
      if (this.worker !== null) this.fail(`helper thread exited with code ${code}`);
    });
  }

  get threads(): number {
    return this.worker === null ? 1 : 2;
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    const w = this.worker;
    this.worker = null;
    for (const p of this.waiting.values()) p.reject(new Error(reason));
    this.waiting.clear();
    if (w !== null) void w.terminate();
  }

  /** A pool with one helper (or none when `helpers` is 0 or the helper does not start). */
  static async start(opts: PoolOptions, helpers: number, runtime: LstmRuntime): Promise<GradientPool> {
    if (helpers < 1) return new GradientPool(null, 'single thread requested', opts.shapes);
    if (!existsSync(LSTM_POOL_WORKER)) {
      return new GradientPool(
        null,
        `the worker module ${LSTM_POOL_WORKER} is missing (run npm run build)`,
        opts.shapes,
      );
    }
    let worker: Worker;
    try {
      const workerData: LstmPoolWorkerData = {
        length: opts.length,
        features: opts.dims.features,
        units2: opts.dims.units2,
        shapes: opts.shapes,
        train: toShared(opts.train.data),
        valid: opts.valid === null ? null : toShared(opts.valid.data),
      };
      worker = new Worker(LSTM_POOL_WORKER, { workerData });
    } catch (e) {
      return new GradientPool(
        null,
        `helper thread did not start: ${e instanceof Error ? e.message : String(e)}`,
        opts.shapes,
      );
    }
    const ready = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve('helper thread start timed out'), STARTUP_TIMEOUT_MS);
      const done = (v: string | null): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(v);
      };
      const onMessage = (m: LstmPoolStartup | LstmPoolReply): void => {
        if (m.id !== -1) return;
        done(m.kind === 'ready' ? null : m.kind === 'failed' ? m.error : 'helper thread failed');
      };
      const onError = (e: Error): void => done(e.message);
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    if (ready !== null) {
      void worker.terminate();
      return new GradientPool(null, ready, opts.shapes);
    }
    const pool = new GradientPool(worker, null, opts.shapes);
    const reason = await pool.selfTest(opts, runtime);
    if (reason !== null) pool.fail(reason);
    return pool;
  }

  /** A small gradient computed on both threads must agree bit for bit. */
  private async selfTest(opts: PoolOptions, runtime: LstmRuntime): Promise<string | null> {
    const n = Math.min(4, opts.train.n);
    const outputs = opts.dims.outputs ?? 1;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const y = Float32Array.from({ length: n * outputs }, (_, i) => i % 2);
    const w = new Float32Array(n * outputs).fill(1 / n);
    const mask = new Float32Array(n * opts.dims.units2).fill(1);
    const weights = opts.shapes.map((s, i) => {
      const a = new Float32Array(s.reduce((p, q) => p * q, 1));
      for (let k = 0; k < a.length; k++) a[k] = Math.sin(1 + k * 0.37 + i) * 0.3;
      return a;
    });
    const flat = concatFlat(weights);
    try {
      const remote = await this.gradients(flat, { rows, y, w, mask });
      const local = localGradients(runtime, opts, weights, opts.train, { rows, y, w, mask }, opts.shapes);
      const a = concatFlat(remote.grads);
      const b = concatFlat(local.grads);
      if (a.length !== b.length) return 'helper self-test: gradient sizes differ';
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) return `helper self-test: gradients differ at ${i} (${a[i]} vs ${b[i]})`;
      }
      return null;
    } catch (e) {
      return `helper self-test failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private request(message: LstmPoolRequestBody, transfer: ArrayBuffer[] = []): Promise<LstmPoolReply> {
    const worker = this.worker;
    if (worker === null) return Promise.reject(new Error(this.failure ?? 'no helper thread'));
    const id = this.nextId++;
    return new Promise<LstmPoolReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Shard gradients on the helper thread. */
  async gradients(weights: Float32Array, req: ShardRequest): Promise<ShardGradients> {
    const r = await this.request({ kind: 'grad', weights, rows: req.rows, y: req.y, w: req.w, mask: req.mask });
    if (r.kind === 'error') throw new Error(r.error);
    if (r.kind !== 'grad') throw new Error('unexpected reply from the helper thread');
    return { loss: r.loss, grads: splitFlat(r.grads, this.shapes) };
  }

  /** Probabilities of windows [from, to) of the training or validation set (per output), on the helper thread. */
  async predict(weights: Float32Array, set: 'train' | 'valid', from: number, to: number): Promise<Float32Array> {
    const r = await this.request({ kind: 'predict', weights, set, from, to });
    if (r.kind === 'error') throw new Error(r.error);
    if (r.kind !== 'predict') throw new Error('unexpected reply from the helper thread');
    return r.prob;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.waiting.values()) p.reject(new Error('pool closed'));
    this.waiting.clear();
    if (w !== null) await w.terminate();
  }
}

/** Shard gradients on the calling thread; `weights` are arrays or tensors in WEIGHT_ORDER. */
export function localGradients(
  runtime: LstmRuntime,
  opts: Pick<PoolOptions, 'length' | 'dims'>,
  weights: readonly (Float32Array | tf.Tensor)[],
  windows: Windows,
  req: ShardRequest,
  shapes?: readonly number[][],
): ShardGradients {
  const B = req.rows.length;
  const { length } = opts;
  const { features, units2 } = opts.dims;
  const owned: tf.Tensor[] = [];
  try {
    const ws = weights.map((w, i) => {
      if (w instanceof tf.Tensor) return w;
      const shape = shapes?.[i] ?? [w.length];
      const t = tf.tensor(w, shape, 'float32');
      owned.push(t);
      return t;
    });
    const x = runtime.gatherTensor(windows.data, length, features, req.rows, 0, B);
    const y = tf.tensor1d(req.y);
    const w = tf.tensor1d(req.w);
    const mask = req.mask === null ? null : tf.tensor2d(req.mask, [B, units2]);
    owned.push(x, y, w);
    if (mask !== null) owned.push(mask);
    return runtime.lossAndGrads(ws, { x, y, w, mask });
  } finally {
    tf.dispose(owned);
  }
}
