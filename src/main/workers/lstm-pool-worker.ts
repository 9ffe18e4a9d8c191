/**
 * Helper thread of the LSTM gradient pool (src/main/core/models/lstm/pool.ts): its own tfjs with
 * the wasm backend and the fused kernels, computing shard gradients and predictions on the
 * windows shared by the calling thread.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../core/models/lstm/backend';
import {
  errorText,
  type LstmPoolReply,
  type LstmPoolRequest,
  type LstmPoolStartup,
  type LstmPoolWorkerData,
} from '../core/models/lstm/pool-protocol';
import { createLstmRuntime, type LstmRuntime } from '../core/models/lstm/runtime';
import { lstmSimdModuleBytes } from '../core/models/lstm/simd';

if (isMainThread || parentPort === null) throw new Error('lstm-pool-worker must run in a worker thread');
const parent = parentPort;
const data = workerData as LstmPoolWorkerData;
const T = data.length;
const F = data.features;
const U2 = data.units2;

function weightsFrom(flat: Float32Array): tf.Tensor[] {
  let o = 0;
  return data.shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.subarray(o, o + n), s, 'float32');
    o += n;
    return t;
  });
}

function answer(rt: LstmRuntime, m: LstmPoolRequest): void {
  const tensors: tf.Tensor[] = [];
  try {
    const ws = weightsFrom(m.weights);
    tensors.push(...ws);
    if (m.kind === 'grad') {
      const B = m.rows.length;
      const x = rt.gatherTensor(data.train, T, F, m.rows, 0, B);
      const y = tf.tensor1d(m.y);
      const w = tf.tensor1d(m.w);
      const mask = m.mask === null ? null : tf.tensor2d(m.mask, [B, U2]);
      tensors.push(x, y, w);
      if (mask !== null) tensors.push(mask);
      const r = rt.lossAndGrads(ws, { x, y, w, mask });
      const flat = new Float32Array(r.grads.reduce((n, g) => n + g.length, 0));
      let o = 0;
      for (const g of r.grads) {
        flat.set(g, o);
        o += g.length;
      }
      const reply: LstmPoolReply = { id: m.id, kind: 'grad', loss: r.loss, grads: flat };
      parent.postMessage(reply, [flat.buffer]);
    } else {
      const windows = m.set === 'train' ? data.train : data.valid;
      if (windows === null) throw new Error('no validation windows were given to the helper thread');
      const outputs = data.shapes[data.shapes.length - 1]![0]!;
      const prob = new Float32Array((m.to - m.from) * outputs);
      for (let a = m.from; a < m.to; a += 512) {
        const b = Math.min(m.to, a + 512);
        const x = rt.gatherTensor(windows, T, F, null, a, b);
        try {
          prob.set(rt.forward(ws, x, false).prob, (a - m.from) * outputs);
        } finally {
          x.dispose();
        }
      }
      const reply: LstmPoolReply = { id: m.id, kind: 'predict', prob };
      parent.postMessage(reply, [prob.buffer]);
    }
  } catch (e) {
    const reply: LstmPoolReply = { id: m.id, kind: 'error', error: errorText(e) };
    parent.postMessage(reply);
  } finally {
    tf.dispose(tensors);
  }
}

async function start(): Promise<LstmRuntime> {
  if ((await selectBackend({ prefer: 'wasm' })) !== 'wasm') {
    throw new Error('the wasm backend did not initialise in the helper thread');
  }
  const rt = createLstmRuntime(tf, { simd: lstmSimdModuleBytes() });
  if (!rt.fused()) throw new Error('the fused kernels are not available in the helper thread');
  return rt;
}

start().then(
  (rt) => {
    parent.on('message', (m: LstmPoolRequest) => answer(rt, m));
    const ready: LstmPoolStartup = { id: -1, kind: 'ready' };
    parent.postMessage(ready);
  },
  (e: unknown) => {
    const failed: LstmPoolStartup = { id: -1, kind: 'failed', error: errorText(e) };
    parent.postMessage(failed);
  },
);
