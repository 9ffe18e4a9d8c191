/**
 * Micro-batching (ModelBatcher) on the demo bundle's real models: inputs that arrive together share
 * one onnxruntime call, and a row's output does not depend on which other rows share its call —
 * alone (padded to two rows), with neighbours, first or last — bit for bit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelBatcher } from '../../../src/main/serve-model/batcher';
import { SERVE_SESSION_OPTIONS } from '../../../src/main/serve-model/fast-scorer';
import { REPO } from '../../helpers/paths';

const MODELS = join(REPO, 'resources', 'models', 'demo', 'models');
const W = 30;
const F = 40;
let lstm: InferenceSession;
let gbdt: InferenceSession;

/** Deterministic inputs in the range of standardised features. */
function inputs(rows: number, size: number, seed: number): Float32Array {
  const x = new Float32Array(rows * size);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 4 - 2;
  }
  return x;
}

const row = (x: Float32Array, size: number, k: number): Float32Array => x.slice(k * size, (k + 1) * size);

beforeAll(async () => {
  lstm = await InferenceSession.create(readFileSync(join(MODELS, 'lstm.onnx')), SERVE_SESSION_OPTIONS);
  gbdt = await InferenceSession.create(readFileSync(join(MODELS, 'gbdt.onnx')), SERVE_SESSION_OPTIONS);
});

afterAll(async () => {
  await lstm?.release();
  await gbdt?.release();
});

describe('ModelBatcher', () => {
  it('scores inputs that arrive together in one call, each answered with its own rows', async () => {
    const b = new ModelBatcher(lstm, { input: 'windows', output: 'probability', rowShape: [W, F], outputStride: 1, minRows: 2 });
    const x = inputs(12, W * F, 7);
    const alone: number[] = [];
    for (let k = 0; k < 12; k++) alone.push((await b.run(row(x, W * F, k), 1))[0]!);
    expect(b.calls).toBe(12);
    // twelve requests at once: one call (the first waits for setImmediate, the rest join it)
    const together = await Promise.all(Array.from({ length: 12 }, (_, k) => b.run(row(x, W * F, k), 1)));
    expect(b.calls).toBe(13);
    expect(together.map((o) => o[0])).toEqual(alone);
    // a request of several rows among single rows, in another order
    const mixed = await Promise.all([b.run(row(x, W * F, 11), 1), b.run(x.slice(0, 5 * W * F), 5), b.run(row(x, W * F, 7), 1)]);
    expect(b.calls).toBe(14);
    expect(mixed[0][0]).toBe(alone[11]);
    expect([...mixed[1]]).toEqual(alone.slice(0, 5));
    expect(mixed[2][0]).toBe(alone[7]);
  });

  it('splits at maxRows and never mixes up answers', async () => {
    const b = new ModelBatcher(gbdt, { input: 'features', output: 'probabilities', rowShape: [F], outputStride: 2, maxRows: 8 });
    const x = inputs(30, F, 11);
    const one = await b.run(x, 30);
    const parts = await Promise.all(Array.from({ length: 30 }, (_, k) => b.run(row(x, F, k), 1)));
    expect(b.calls).toBe(1 + 4); // 30 single rows in batches of at most 8
    expect(parts.flatMap((p) => [...p])).toEqual([...one]);
  });

  it('refuses an input of the wrong size and keeps serving', async () => {
    const b = new ModelBatcher(gbdt, { input: 'features', output: 'probabilities', rowShape: [F], outputStride: 2 });
    await expect(b.run(new Float32Array(F + 1), 1)).rejects.toThrow(/41 input values for 1 rows of 40/);
    expect((await b.run(inputs(1, F, 3), 1)).length).toBe(2);
  });
});
