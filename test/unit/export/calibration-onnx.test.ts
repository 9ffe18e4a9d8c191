/**
 * Calibration in ONNX: the graph nodes against applyCalibration over the whole [0, 1] range (ends,
 * knots, beyond the knots, Platt's clamp), and bundles with a Platt and an isotonic calibration —
 * the in-app engine, the bundle's model files and pipeline.onnx give the same calibrated probability.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetTable } from '../../../src/main/core/data/table';
import { applyCalibration, fitIsotonic } from '../../../src/main/core/eval/calibration';
import { readBundle, verifyBundle, writeBundle, type BundleInput } from '../../../src/main/core/export/bundle';
import { addCalibration } from '../../../src/main/core/export/calibration-onnx';
import { checkManifest } from '../../../src/main/core/export/manifest';
import { DataType, encodeModel, GraphBuilder, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET, ONNX_ML_DOMAIN } from '../../../src/main/core/export/onnx';
import { BundleScorer } from '../../../src/main/core/export/score';
import type { Calibration } from '../../../src/main/core/rul/types';
import { createRng } from '../../../src/main/core/split';
import { maxAbsDiff, onnxCheck, referenceScores, syntheticRun, truncateUnits } from '../../helpers/onnx-fixtures';
import { itWith, PYTHON_ONNX } from '../../helpers/tools';
import { tempDir } from '../../helpers/paths';

async function graphOf(c: Calibration): Promise<InferenceSession> {
  const b = new GraphBuilder('calibration');
  b.input('p', DataType.FLOAT, ['N']);
  addCalibration(b, 'p', c, 'q');
  b.output('q', DataType.FLOAT, ['N']);
  const bytes = encodeModel({
    graph: b.build('calibration'),
    opsets: [
      { domain: '', version: MAX_ONNX_OPSET },
      { domain: ONNX_ML_DOMAIN, version: MAX_ONNX_ML_OPSET },
    ],
  });
  return InferenceSession.create(bytes);
}

const rng = createRng(17);
const noisy = Array.from({ length: 3000 }, () => rng());
const isotonic = fitIsotonic(
  noisy,
  noisy.map((v) => (rng() < v * v ? 1 : 0)),
);
const CASES: [string, Calibration][] = [
  ['none', { method: 'none' }],
  ['platt', { method: 'platt', a: 1.8, b: -0.7 }],
  ['platt, steep', { method: 'platt', a: 6, b: 2.5 }],
  ['isotonic, fitted', isotonic],
  ['isotonic, hand knots', { method: 'isotonic', x: [0.05, 0.2, 0.5, 0.8], y: [0.01, 0.1, 0.6, 0.95] }],
  ['isotonic, one knot', { method: 'isotonic', x: [0.3], y: [0.2] }],
];

describe('calibration nodes', () => {
  const edges = [0, 1, 1e-9, 1 - 1e-9, 1e-7, 0.5, 0.05, 0.2, 0.8, 0.3, 0.049, 0.801];
  const grid = Array.from({ length: 2001 }, (_, i) => i / 2000);
  const p = Float32Array.from([...edges, ...grid, ...isotonic.x, ...Array.from({ length: 2000 }, () => rng())]);
  for (const [name, c] of CASES) {
    it(`${name}: onnxruntime gives applyCalibration’s values`, async () => {
      const s = await graphOf(c);
      try {
        const out = (await s.run({ p: new Tensor('float32', p, [p.length]) })).q!.data as Float32Array;
        const want = applyCalibration(c, p);
        expect(maxAbsDiff(out, want)).toBeLessThan(1e-6);
      } finally {
        await s.release();
      }
    });
  }
});

describe('bundles with a calibration', () => {
  let dir = '';
  let input: BundleInput;
  let table: FleetTable;

  beforeAll(async () => {
    dir = tempDir('prognos-calibration-bundle-');
    const run = await syntheticRun();
    input = run.input;
    // cut every unit somewhere in its life so the probabilities spread over [0, 1]
    table = truncateUnits(run.table, (u, rows) => Math.max(12, Math.floor(rows * (0.3 + 0.07 * (u % 10)))));
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const variants: [string, Calibration][] = [
    ['platt', { method: 'platt', a: 1.8, b: -0.7 }],
    ['isotonic', { method: 'isotonic', x: [0.05, 0.2, 0.5, 0.8], y: [0.01, 0.1, 0.6, 0.95] }],
  ];
  for (const [name, calibration] of variants) {
    for (const lstm of [true, false]) {
      it(`${name}${lstm ? '' : ', GBDT only'}: in-app, model files and pipeline.onnx agree`, async () => {
        const { lstm: l, scaler: s, ...rest } = input;
        const bundleInput: BundleInput = lstm ? { ...input, calibration } : { ...rest, weight: 1, calibration };
        const w = await writeBundle(bundleInput, join(dir, `${name}-${lstm}`));
        expect(w.manifest.calibration).toEqual(calibration);
        expect((await verifyBundle(w.path)).ok).toBe(true);
        const loaded = await readBundle(w.path);
        expect(new TextDecoder().decode(loaded.files.get('model_card.md'))).toMatch(name === 'platt' ? /Platt scaling/ : /isotonic regression/);
        const ref = referenceScores(table, {
          featureState: input.featureState,
          gbdt: input.gbdt,
          ...(lstm ? { scaler: s!, lstm: l! } : {}),
          weight: lstm ? input.weight : 1,
          window: input.windowLength,
        });
        const want = applyCalibration(calibration, ref.probability);
        // the cut fleet spreads the raw probabilities, so the calibration is exercised and changes them
        expect(maxAbsDiff(want, ref.probability)).toBeGreaterThan(0.02);
        const models = await BundleScorer.open(w.path);
        const pipeline = await BundleScorer.open(w.path, { engine: 'pipeline' });
        try {
          const a = await models.scoreUnits(table);
          const b = await pipeline.scoreUnits(table);
          expect(maxAbsDiff(a.map((u) => u.parts.gbdt), ref.gbdt)).toBeLessThan(1e-5);
          expect(maxAbsDiff(a.map((u) => u.probability), want)).toBeLessThan(1e-5);
          expect(maxAbsDiff(b.map((u) => u.probability), want)).toBeLessThan(1e-5);
          expect(a.map((u) => u.alert)).toEqual(a.map((u) => u.probability >= bundleInput.threshold));
          const rows = await models.scoreRows(table);
          expect(rows.probability.every((v) => v >= 0 && v <= 1)).toBe(true);
        } finally {
          await models.close();
          await pipeline.close();
        }
      });
    }
  }

  itWith(PYTHON_ONNX)('the calibrated pipeline.onnx files pass onnx.checker.check_model(full_check=True)', async () => {
    const paths: string[] = [];
    for (const [name, calibration] of [...variants, ['isotonic, one knot', { method: 'isotonic', x: [0.3], y: [0.2] }] as [string, Calibration]]) {
      const w = await writeBundle({ ...input, calibration }, join(dir, `checked-${paths.length}`));
      expect(w.manifest.calibration, name).toEqual(calibration);
      paths.push(join(w.path, 'models', 'pipeline.onnx'));
    }
    const r = onnxCheck(paths);
    for (const p of paths) expect(r[p], p).toBe('ok');
  });

  it('refuses a manifest whose calibration is not a valid curve, naming it', async () => {
    const w = await writeBundle(input, join(dir, 'plain'));
    expect(w.manifest.calibration).toEqual({ method: 'none' });
    const bad = { ...w.manifest, calibration: { method: 'isotonic', x: [0.5, 0.2], y: [0.1, 0.3] } };
    const r = checkManifest(JSON.parse(JSON.stringify(bad)));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reasons.join('; ')).toMatch(/calibration.*ascending/);
    const nan = checkManifest(JSON.parse(JSON.stringify({ ...w.manifest, calibration: { method: 'platt', a: 'x', b: 0 } })));
    expect(nan.ok).toBe(false);
    await expect(writeBundle({ ...input, calibration: { method: 'isotonic', x: [0.2, 0.1], y: [0, 1] } }, join(dir, 'bad'))).rejects.toThrow(/ascending/);
  });
});
