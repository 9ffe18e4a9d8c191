/**
 * Keras → ONNX LSTM weight mapping: gate blocks move from i, f, c, o to i, o, f, c and every block is
 * transposed; the exported model matches a Keras-order reference forward pass.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  KERAS_GATE_OF,
  kerasBiasToOnnx,
  kerasGateMatrixToOnnx,
  lstmToOnnx,
  onnxLstmTensors,
  type LstmAttentionWeights,
} from '../../../src/main/core/export/lstm-onnx';
import { PrognosError } from '../../../src/shared/errors';
import { lstmReferenceBatch, randomLstmWeights } from '../../helpers/onnx-reference';

describe('gate reordering', () => {
  it('maps ONNX gates i, o, f, c to Keras gates i, f, c, o', () => {
    expect(KERAS_GATE_OF).toEqual([0, 3, 1, 2]);
  });

  it('transposes each gate block of a [rows, 4u] kernel into [4u, rows]', () => {
    const rows = 2;
    const u = 2;
    // Keras value at (row k, column col) = 100·k + col, so every entry names its origin
    const keras = Float32Array.from({ length: rows * 4 * u }, (_, i) => 100 * Math.floor(i / (4 * u)) + (i % (4 * u)));
    const W = kerasGateMatrixToOnnx(keras, rows, u);
    const at = (r: number, k: number): number => W[r * rows + k]!;
    // ONNX row 0..1 = input gate i: Keras columns 0..1
    expect([at(0, 0), at(0, 1), at(1, 0), at(1, 1)]).toEqual([0, 100, 1, 101]);
    // ONNX rows 2..3 = output gate o: Keras columns 6..7
    expect([at(2, 0), at(2, 1), at(3, 0), at(3, 1)]).toEqual([6, 106, 7, 107]);
    // ONNX rows 4..5 = forget gate f: Keras columns 2..3
    expect([at(4, 0), at(5, 1)]).toEqual([2, 103]);
    // ONNX rows 6..7 = cell gate c: Keras columns 4..5
    expect([at(6, 0), at(7, 1)]).toEqual([4, 105]);
  });

  it('reorders the bias and appends a zero recurrent bias', () => {
    const b = kerasBiasToOnnx([1, 2, 3, 4, 5, 6, 7, 8], 2); // i: 1 2, f: 3 4, c: 5 6, o: 7 8
    expect(Array.from(b)).toEqual([1, 2, 7, 8, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives W [4u·in], R [4u·u] and B [8u] for a layer', () => {
    const w = randomLstmWeights(3, 4, 2, 2, 1);
    const t = onnxLstmTensors(w.lstm1, 3, 4);
    expect(t.W).toHaveLength(4 * 4 * 3);
    expect(t.R).toHaveLength(4 * 4 * 4);
    expect(t.B).toHaveLength(8 * 4);
  });
});

describe('lstm.onnx', () => {
  it('matches the Keras-order reference forward pass within 1e-5', async () => {
    const F = 5;
    const T = 30;
    const n = 12;
    const w = randomLstmWeights(F, 12, 6, 5, 11);
    const s = await InferenceSession.create(lstmToOnnx(w, { window: T, features: F }));
    try {
      const x = Float32Array.from({ length: n * T * F }, (_, i) => Math.sin(0.37 * i) * 2 + Math.cos(0.05 * i));
      const out = await s.run({ windows: new Tensor('float32', x, [n, T, F]) });
      expect(out.probability!.dims).toEqual([n, 1]);
      const ref = lstmReferenceBatch(w, x, n, T, F);
      const got = out.probability!.data as Float32Array;
      for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-5);
    } finally {
      await s.release();
    }
  });

  it('a wrong gate order would be visible: swapping Keras f and o changes the output', async () => {
    const F = 3;
    const T = 10;
    const w = randomLstmWeights(F, 4, 3, 3, 5);
    const u = 4;
    const swap = (a: ArrayLike<number>, rows: number): Float32Array => {
      const out = Float32Array.from(a);
      for (let k = 0; k < rows; k++)
        for (let j = 0; j < u; j++) {
          out[k * 4 * u + u + j] = a[k * 4 * u + 3 * u + j]!;
          out[k * 4 * u + 3 * u + j] = a[k * 4 * u + u + j]!;
        }
      return out;
    };
    const swapped: LstmAttentionWeights = {
      ...w,
      lstm1: {
        kernel: { shape: w.lstm1.kernel.shape, data: swap(w.lstm1.kernel.data, F) },
        recurrentKernel: { shape: w.lstm1.recurrentKernel.shape, data: swap(w.lstm1.recurrentKernel.data, u) },
        bias: { shape: w.lstm1.bias.shape, data: swap(w.lstm1.bias.data, 1) },
      },
    };
    const x = Float32Array.from({ length: T * F }, (_, i) => Math.sin(i));
    const s = await InferenceSession.create(lstmToOnnx(w, { window: T, features: F }));
    try {
      const out = await s.run({ windows: new Tensor('float32', x, [1, T, F]) });
      const got = (out.probability!.data as Float32Array)[0]!;
      expect(Math.abs(got - lstmReferenceBatch(w, x, 1, T, F)[0]!)).toBeLessThan(1e-5);
      expect(Math.abs(got - lstmReferenceBatch(swapped, x, 1, T, F)[0]!)).toBeGreaterThan(1e-4);
    } finally {
      await s.release();
    }
  });

  it('accepts the attention vector v as [a] or [a, 1]', () => {
    const w = randomLstmWeights(4, 6, 3, 5, 2);
    const flat: LstmAttentionWeights = { ...w, attention: { ...w.attention, v: { shape: [5], data: w.attention.v.data } } };
    const a = lstmToOnnx(w, { window: 30, features: 4 });
    expect(Buffer.from(lstmToOnnx(flat, { window: 30, features: 4 })).equals(Buffer.from(a))).toBe(true);
  });

  it('refuses weights whose shapes do not fit together', () => {
    const w = randomLstmWeights(4, 6, 3, 2, 2);
    expect(() => lstmToOnnx(w, { window: 30, features: 5 })).toThrow(PrognosError);
    expect(() => lstmToOnnx(w, { window: 30, features: 5 })).toThrow(/lstm1.kernel has shape \[4, 24\], expected \[5, 24\]/);
    const bad = { ...w, dense: { kernel: w.dense.kernel, bias: { shape: [2], data: [0, 0] } } };
    expect(() => lstmToOnnx(bad, { window: 30, features: 4 })).toThrow(/dense.bias/);
  });
});
