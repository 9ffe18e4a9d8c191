/**
 * The RUL ensemble and interval lookup as ONNX operators against the TypeScript definition
 * (rulEnsemble, rulBounds) at and around every bin edge, below zero and far above the last edge.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, encodeModel, GraphBuilder, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET, ONNX_ML_DOMAIN } from '../../../src/main/core/export/onnx';
import { addRulEnsemble, rulBounds, rulEnsemble, type RulSpec } from '../../../src/main/core/export/rul-onnx';

const spec: RulSpec = {
  cap: 125,
  weight: 0.6,
  interval: {
    method: 'conformal',
    coverage: 0.9,
    bins: [
      { upTo: 20.5, low: -6, high: 8 },
      { upTo: 60, low: -12.25, high: 15 },
      { upTo: 100, low: -20, high: 24.5 },
      { upTo: null, low: -31, high: 33 },
    ],
  },
};

async function session(withLstm: boolean): Promise<InferenceSession> {
  const b = new GraphBuilder('rul_interval');
  b.input('g', DataType.FLOAT, ['N', 1]);
  if (withLstm) b.input('l', DataType.FLOAT, ['N', 1]);
  addRulEnsemble(b, 'g', withLstm ? 'l' : undefined, withLstm ? spec : { ...spec, weight: 1 }, { rul: 'rul', low: 'rul_low', high: 'rul_high' });
  for (const n of ['rul', 'rul_low', 'rul_high']) b.output(n, DataType.FLOAT, ['N']);
  const bytes = encodeModel({
    graph: b.build(),
    opsets: [
      { domain: '', version: MAX_ONNX_OPSET },
      { domain: ONNX_ML_DOMAIN, version: MAX_ONNX_ML_OPSET },
    ],
  });
  return InferenceSession.create(bytes);
}

describe('RUL interval lookup in ONNX', () => {
  it('equals rulBounds exactly at, just below and just above every edge (a bin holds rul < upTo)', async () => {
    const s = await session(false);
    const values: number[] = [-40, -0.5, 0, 5, 150, 1e4];
    for (const b of spec.interval.bins) {
      if (b.upTo === null) continue;
      const e = Math.fround(b.upTo);
      values.push(e, e - 1e-3, e + 1e-3, Math.fround(e * (1 - 2 ** -23)), Math.fround(e * (1 + 2 ** -23)));
    }
    const x = Float32Array.from(values);
    const out = await s.run({ g: new Tensor('float32', x, [x.length, 1]) });
    const [rul, low, high] = ['rul', 'rul_low', 'rul_high'].map((n) => out[n]!.data as Float32Array);
    x.forEach((v, i) => {
      const want = rulBounds(spec.interval, v);
      expect(rul![i], `rul at ${v}`).toBe(v);
      expect(low![i], `low at ${v}`).toBe(want.low);
      expect(high![i], `high at ${v}`).toBe(want.high);
    });
    // at an edge the next bin applies
    expect(rulBounds(spec.interval, 60)).toEqual({ low: 60 - 20, high: 60 + 24.5 });
    expect(rulBounds(spec.interval, 59.5)).toEqual({ low: 59.5 - 12.25, high: 59.5 + 15 });
    expect(rulBounds(spec.interval, 3).low).toBe(0);
    await s.release();
  });

  it('blends the GBDT and the LSTM head as rulEnsemble does, in float32', async () => {
    const s = await session(true);
    const g = Float32Array.from([0, 12.5, 47.25, 99.75, 130, -3]);
    const l = Float32Array.from([0, 0.1, 0.5, 0.77, 1, 0.02]);
    const out = await s.run({ g: new Tensor('float32', g, [g.length, 1]), l: new Tensor('float32', l, [l.length, 1]) });
    const rul = out.rul!.data as Float32Array;
    const high = out.rul_high!.data as Float32Array;
    g.forEach((v, i) => {
      const want = rulEnsemble(spec, v, l[i]);
      expect(Math.abs(rul[i]! - want), `row ${i}`).toBeLessThanOrEqual(Math.abs(want) * 2 ** -22);
      expect(Math.abs(want - (0.6 * v + 0.4 * 125 * l[i]!))).toBeLessThan(1e-4);
      expect(high[i]).toBe(rulBounds(spec.interval, rul[i]!).high);
    });
    await s.release();
  });
});
