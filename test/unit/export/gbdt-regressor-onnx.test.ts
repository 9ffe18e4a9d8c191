/**
 * A reg:squarederror GBDT exports as one ai.onnx.ml TreeEnsembleRegressor: onnxruntime returns the
 * values GbdtModel.predictValue returns (missing values included), python3-onnx's checker accepts
 * the file, and the classifier export is byte-for-byte what it was before regression existed.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticMatrix } from '../../../bench/gbdt/matrix';
import { addTreeEnsemble, addTreeEnsembleRegressor, gbdtToOnnx, GBDT_INPUT, GBDT_VALUE } from '../../../src/main/core/export';
import { GraphBuilder, inspectModel } from '../../../src/main/core/export/onnx';
import { trainGbdt, type GbdtModel } from '../../../src/main/core/models/gbdt';
import { onnxCheck } from '../../helpers/onnx-fixtures';
import { makeRegressionMatrix } from '../../helpers/regression-matrix';
import { itWith, PYTHON_ONNX } from '../../helpers/tools';

function rowMajor(columns: readonly Float32Array[], rows: number): Float32Array {
  const F = columns.length;
  const x = new Float32Array(rows * F);
  for (let f = 0; f < F; f++) for (let r = 0; r < rows; r++) x[r * F + f] = columns[f]![r]!;
  return x;
}

describe('GBDT regression → ONNX TreeEnsembleRegressor', () => {
  const train = makeRegressionMatrix({ rows: 4000, features: 10, seed: 301, missing: 0.04 });
  const test = makeRegressionMatrix({ rows: 2000, features: 10, seed: 302, missing: 0.04 });
  let model: GbdtModel;
  let bytes: Uint8Array;
  let dir = '';

  beforeAll(async () => {
    model = await trainGbdt(train, {
      objective: 'reg:squarederror',
      nEstimators: 80,
      maxDepth: 6,
      eta: 0.15,
      earlyStoppingRounds: 0,
      nThreads: 1,
    });
    bytes = gbdtToOnnx(model, { producerVersion: '1.0.0' });
    dir = await mkdtemp(join(tmpdir(), 'prognos-gbdt-reg-onnx-'));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('declares one TreeEnsembleRegressor with a float [N, 1] value output', () => {
    const info = inspectModel(bytes);
    expect(info.operators).toEqual(['ai.onnx.ml:TreeEnsembleRegressor']);
    expect(info.nodeCount).toBe(1);
    expect(info.outputs.map((o) => [o.name, o.shape])).toEqual([[GBDT_VALUE, ['N', 1]]]);
  });

  it('predicts in onnxruntime what predictValue predicts (float32, NaN follows default_left)', async () => {
    const s = await InferenceSession.create(bytes);
    const x = rowMajor(test.columns, test.rows);
    const out = await s.run({ [GBDT_INPUT]: new Tensor('float32', x, [test.rows, test.features]) });
    const got = out[GBDT_VALUE]!;
    expect(got.dims).toEqual([test.rows, 1]);
    const data = got.data as Float32Array;
    const want = model.predictValue(test.columns, test.rows);
    let worst = 0;
    let exact = 0;
    for (let r = 0; r < test.rows; r++) {
      const d = Math.abs(data[r]! - want[r]!);
      worst = Math.max(worst, d);
      if (d === 0) exact++;
    }
    console.log(
      `gbdt regressor ONNX vs predictValue: ${test.rows} rows, ${model.trees.length} trees, max |Δ| = ${worst.toExponential(2)}, identical ${exact}/${test.rows}`,
    );
    // onnxruntime sums the 80 leaves in float32 and adds base_score (≈ 80) last, predictValue starts
    // from it: partial sums up to ≈ 128, where one float32 ulp is 7.6e-6, so a few ulps apart
    expect(worst).toBeLessThanOrEqual(1e-4);
    // and the values are the model's, not a constant: they spread over the target range
    expect(Math.max(...data) - Math.min(...data)).toBeGreaterThan(50);
  });

  itWith(PYTHON_ONNX)('passes onnx.checker (full check)', async () => {
    const path = join(dir, 'gbdt-reg.onnx');
    await writeFile(path, bytes);
    expect(onnxCheck([path])).toEqual({ [path]: 'ok' });
  });

  it('keeps each objective to its own operator', () => {
    expect(() => addTreeEnsemble(new GraphBuilder('g'), GBDT_INPUT, model)).toThrow(/addTreeEnsembleRegressor/);
  });
});

describe('GBDT classifier → ONNX is unchanged', () => {
  it('writes the byte-identical TreeEnsembleClassifier it wrote before (sha256)', async () => {
    const train = makeSyntheticMatrix({ rows: 2000, features: 8, seed: 41, missing: 0.03 });
    const m = await trainGbdt(train, { nEstimators: 15, maxDepth: 4, earlyStoppingRounds: 0, nThreads: 1, seed: 2 });
    const bytes = gbdtToOnnx(m, { producerVersion: '1.0.0' });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      'a0f3bb8be4c73f29c066c6a8f362d088c99718b7794080d3608bb5c86752d64a',
    );
    expect(() => addTreeEnsembleRegressor(new GraphBuilder('g'), GBDT_INPUT, m)).toThrow(/addTreeEnsemble\b/);
  });
});
