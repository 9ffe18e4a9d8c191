/**
 * The LSTM gradient pool starts its helper from the built worker module (never from source text
 * evaluated at run time), and the helper's answers match the calling thread's bit for bit.
 */
import type * as WorkerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLstmRuntime, LstmModel, selectBackend, type LstmArchitecture } from '../../../src/main/core/models/lstm';
import { concatFlat, GradientPool, localGradients } from '../../../src/main/core/models/lstm/pool';
import { lstmSimdModuleBytes } from '../../../src/main/core/models/lstm/simd';
import { LSTM_POOL_WORKER } from '../../../src/main/paths';
import { gaussian } from './helpers';

const started = vi.hoisted(() => [] as { filename: unknown; options: Record<string, unknown> | undefined }[]);

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class RecordingWorker extends actual.Worker {
    constructor(filename: string | URL, options?: WorkerThreads.WorkerOptions) {
      started.push({ filename, options: options as Record<string, unknown> | undefined });
      super(filename, options);
    }
  }
  return { ...actual, Worker: RecordingWorker };
});

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

afterEach(() => {
  started.length = 0;
});

describe('LSTM gradient pool', () => {
  const arch: LstmArchitecture = { features: 3, length: 5, units1: 6, units2: 4, attentionUnits: 3, dropout: 0.3 };

  it('runs its helper from the built worker module and agrees with the calling thread', async () => {
    const runtime = createLstmRuntime(tf, { simd: lstmSimdModuleBytes() });
    const model = LstmModel.create(arch, 4);
    const shapes = model.variables().map((v) => [...v.shape]);
    const train = {
      data: gaussian(40 * arch.length * arch.features, 3),
      n: 40,
      length: arch.length,
      features: arch.features,
    };
    const pool = await GradientPool.start({ dims: arch, length: arch.length, shapes, train, valid: null }, 1, runtime);
    try {
      expect(pool.failure).toBeNull();
      expect(pool.threads).toBe(2);
      expect(started).toHaveLength(1);
      expect(started[0]!.filename).toBe(LSTM_POOL_WORKER);
      expect(started[0]!.options?.eval).toBeUndefined();

      const rows = Int32Array.from([3, 17, 8, 29, 0, 11]);
      const req = {
        rows,
        y: Float32Array.from([1, 0, 1, 0, 0, 1]),
        w: new Float32Array(6).fill(1 / 12),
        mask: Float32Array.from({ length: 6 * arch.units2 }, (_, i) => (i % 3 === 0 ? 0 : 1 / 0.7)),
      };
      const weights = model.weightArrays();
      const remote = await pool.gradients(concatFlat(weights), req);
      const local = localGradients(runtime, { length: arch.length, dims: arch }, weights, train, req, shapes);
      expect(remote.loss).toBe(local.loss);
      expect(Array.from(concatFlat(remote.grads))).toEqual(Array.from(concatFlat(local.grads)));

      const prob = await pool.predict(concatFlat(weights), 'train', 5, 25);
      expect(Array.from(prob)).toEqual(Array.from(model.predict(train)).slice(5, 25));
      await expect(pool.predict(concatFlat(weights), 'valid', 0, 2)).rejects.toThrow(/no validation windows/);
    } finally {
      await pool.close();
      model.dispose();
    }
  });
});
