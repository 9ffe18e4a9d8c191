/**
 * The adapter between the fused LSTM kernels and the wasm backend: its version pin fails loudly,
 * and its views, offsets and memory read the same numbers as tfjs' public dataSync.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/core/models/lstm';
import { checkTfjsVersions, PINNED_TFJS_VERSION, WasmHeap } from '../../../src/main/core/models/lstm/wasm-heap';
import { PrognosError } from '../../../src/shared/errors';

const packageJson = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

describe('wasm heap adapter', () => {
  it('is pinned to the installed tfjs release, and package.json pins it exactly', () => {
    expect(tf.version_core).toBe(PINNED_TFJS_VERSION);
    expect(version_wasm).toBe(PINNED_TFJS_VERSION);
    expect(() => checkTfjsVersions(tf.version_core)).not.toThrow();
    expect(packageJson.dependencies['@tensorflow/tfjs']).toBe(PINNED_TFJS_VERSION);
    expect(packageJson.dependencies['@tensorflow/tfjs-backend-wasm']).toBe(PINNED_TFJS_VERSION);
  });

  it('refuses another tfjs release with a message naming the package and both versions', () => {
    let err: unknown;
    try {
      checkTfjsVersions('4.21.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).code).toBe('INTERNAL');
    expect((err as Error).message).toContain('@tensorflow/tfjs-core 4.21.0');
    expect((err as Error).message).toContain(PINNED_TFJS_VERSION);
    expect(() => checkTfjsVersions(PINNED_TFJS_VERSION, '5.0.0')).toThrow(/tfjs-backend-wasm 5\.0\.0/);
  });

  it('reads tensors through views, byte offsets and the backend memory exactly as dataSync does', () => {
    const heap = WasmHeap.of(tf.backend());
    const memory = heap.memory() as { buffer: ArrayBuffer } | null;
    expect(memory).not.toBeNull();
    const values = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i) * 3);
    const t = tf.tensor2d(values, [37, 1]);
    const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
    expect(Array.from(heap.view(info))).toEqual(Array.from(t.dataSync()));
    const offset = heap.offset(info);
    expect(offset % 4).toBe(0);
    expect(Array.from(new Float32Array(memory!.buffer, offset, 37))).toEqual(Array.from(values));

    // a tensor allocated by the adapter is a tfjs tensor like any other once written
    const before = tf.engine().backend.numDataIds();
    const out = heap.alloc([2, 3]);
    heap.view(out).set([1, 2, 3, 4, 5, 6]);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    heap.free(out);
    expect(tf.engine().backend.numDataIds()).toBe(before);
    t.dispose();
  });

  it('refuses a backend that is not wasm', () => {
    expect(() => WasmHeap.of({})).toThrow(/other than wasm/);
  });
});
