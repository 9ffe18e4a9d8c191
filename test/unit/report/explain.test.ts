/**
 * explainUnit / featureSources / gbdtFromBundleFiles: contributions known by hand on a tiny model,
 * the per-source sums and ordering on a model of the synthetic fleet, the raw column of every kind of
 * engineered feature, and the shipped demo bundle's GBDTs (and tampered copies of their files).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { readBundle } from '../../../src/main/core/export/bundle';
import type { BundleManifest } from '../../../src/main/core/export/manifest';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { GbdtModel, type GbdtTree } from '../../../src/main/core/models/gbdt';
import { treeShap } from '../../../src/main/core/models/gbdt/shap';
import { explainUnit, featureSources, gbdtFromBundleFiles, REGIME_SOURCE } from '../../../src/main/core/report/explain';
import { PrognosError } from '../../../src/shared/errors';
import { syntheticGbdts, type SyntheticGbdts } from '../../helpers/synthetic-gbdt';

const DEMO_BUNDLE = join(__dirname, '../../../resources/models/demo');

function stump(feature: number, threshold: number, leftValue: number, leftCover: number, rightValue: number, rightCover: number): GbdtTree {
  return {
    left: Int32Array.of(1, -1, -1),
    right: Int32Array.of(2, -1, -1),
    parent: Int32Array.of(-1, 0, 0),
    feature: Int32Array.of(feature, 0, 0),
    threshold: Float32Array.of(threshold, leftValue, rightValue),
    defaultLeft: Uint8Array.of(0, 0, 0),
    baseWeight: new Float32Array(3),
    lossChange: new Float32Array(3),
    sumHessian: Float32Array.of(leftCover + rightCover, leftCover, rightCover),
  };
}

describe('explainUnit on a hand-built model', () => {
  // a: s11 (−0.5 expected 0 → contributes −0.5 or +0.5), b: s11_mean_5 (+2 / −2 around 0),
  // c: setting1 (0.25 / −0.75 around 0), d: s4 (never split on)
  const m = new GbdtModel({
    trees: [stump(0, 10, -0.5, 1, 0.5, 1), stump(1, 0, 2, 1, -2, 1), stump(2, 1, 0.25, 3, -0.75, 1)],
    featureNames: ['s11', 's11_mean_5', 'setting1', 's4'],
    baseScore: 0.5,
    bestIteration: 2,
  });
  const sources = ['s11', 's11', 'setting1', 's4'];

  it('ranks features by |contribution| with their values, sums per source largest |sum| first', () => {
    const row = [12, -1, 5, 3];
    const e = explainUnit(m, row, sources, 3);
    expect(e.bias).toBeCloseTo(0, 12); // logit(0.5) = 0 and every stump has expected value 0
    expect(e.contributions).toEqual([
      { feature: 's11_mean_5', source: 's11', value: -1, contribution: 2 },
      { feature: 'setting1', source: 'setting1', value: 5, contribution: -0.75 },
      { feature: 's11', source: 's11', value: 12, contribution: 0.5 },
    ]);
    expect(e.sources).toEqual([
      { source: 's11', contribution: 2.5 },
      { source: 'setting1', contribution: -0.75 },
      { source: 's4', contribution: 0 },
    ]);
    const margin = m.predictMargin(row.map((v) => Float32Array.of(v)), 1)[0]!;
    expect(e.bias + e.sources.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(margin, 6);
  });

  it('shows the given values (e.g. unscaled) and keeps the top count', () => {
    const e = explainUnit(m, [0, 5, 0, 0], sources, 1, [100, 200, 300, 400]);
    expect(e.contributions).toEqual([{ feature: 's11_mean_5', source: 's11', value: 200, contribution: -2 }]);
    expect(explainUnit(m, [0, 5, 0, 0], sources, 0).contributions).toEqual([]);
    expect(explainUnit(m, [0, 5, 0, 0], sources, 10).contributions).toHaveLength(4);
  });

  it('refuses mismatched sources, short rows and a negative top', () => {
    expect(() => explainUnit(m, [0, 0, 0, 0], sources.slice(1), 3)).toThrow(/source for each of the 4 model features, got 3/);
    expect(() => explainUnit(m, [0, 0, 0], sources, 3)).toThrow(PrognosError);
    expect(() => explainUnit(m, [0, 0, 0, 0], sources, -1)).toThrow(/Invalid number of contributors/);
  });
});

describe('featureSources', () => {
  it('maps every kind of engineered feature to its raw column; regime features to the regime', () => {
    const table = synthesizeFleet({ units: 6, seed: 5, regimes: 6 });
    const f = engineerFeatures(table, { sensors: ['s2', 's11', 'setting1'], windows: [5], stats: ['mean', 'slope'] });
    expect(f.state.regime).toBeDefined();
    const src = featureSources(f.state, f.names);
    const expected = f.names.map((n) => (n.startsWith('regime') ? REGIME_SOURCE : n.split('_')[0]!));
    expect(src).toEqual(expected);
    expect(f.names).toContain('regime1_share');
    expect(src[f.names.indexOf('s11_ewma')]).toBe('s11');
    expect(src[f.names.indexOf('setting1_diff')]).toBe('setting1');
    // the same from a manifest's definitions
    expect(featureSources(f.defs, ['s11_slope_5', 'regime2_cycles'])).toEqual(['s11', REGIME_SOURCE]);
  });

  it('falls back to the longest column prefix, then to the name itself', () => {
    // CSV columns may hold underscores: "hp_temp" must win over "hp" for "hp_temp_q90"
    const defs = [
      { name: 'hp', sensor: 'hp', kind: 'raw' as const, formula: 'hp' },
      { name: 'hp_temp', sensor: 'hp_temp', kind: 'raw' as const, formula: 'hp_temp' },
      { name: 's11_mean_5', sensor: 's11', kind: 'mean' as const, window: 5, formula: 'mean' },
    ];
    expect(featureSources(defs, ['hp_temp_q90', 'hp_q90', 's11_median_7', 'cycle', 'regime3_share', 's111', 'hp_temp'])).toEqual([
      'hp_temp',
      'hp',
      's11',
      'cycle',
      REGIME_SOURCE,
      's111',
      'hp_temp',
    ]);
  });
});

describe('explainUnit on a GBDT of the synthetic fleet', () => {
  let fx: SyntheticGbdts;
  beforeAll(async () => {
    fx = await syntheticGbdts({ units: 12, params: { nEstimators: 30 } });
  });

  it('top contributors, per-source sums over all features and the margin add up', () => {
    const m = fx.classifier;
    const sources = featureSources(fx.state, m.featureNames);
    for (const r of [0, Math.floor(fx.rows / 3), fx.rows - 1]) {
      const row = Float32Array.from(fx.columns, (c) => c[r]!);
      const e = explainUnit(m, row, sources, 8);
      const full = treeShap(m, row);
      expect(e.bias).toBe(full.bias);
      expect(e.contributions).toHaveLength(8);
      const abs = e.contributions.map((c) => Math.abs(c.contribution));
      expect(abs).toEqual([...abs].sort((a, b) => b - a));
      // the 8th largest bounds every feature left out
      const cut = abs[7]!;
      const shown = new Set(e.contributions.map((c) => c.feature));
      m.featureNames.forEach((n, i) => {
        if (!shown.has(n)) expect(Math.abs(full.contributions[i]!)).toBeLessThanOrEqual(cut);
      });
      for (const c of e.contributions) {
        const i = m.featureNames.indexOf(c.feature);
        expect(c.source).toBe(sources[i]);
        expect(Object.is(c.value, row[i]!)).toBe(true);
        expect(c.contribution).toBe(full.contributions[i]);
      }
      expect(new Set(e.sources.map((s) => s.source))).toEqual(new Set(sources));
      const sabs = e.sources.map((s) => Math.abs(s.contribution));
      expect(sabs).toEqual([...sabs].sort((a, b) => b - a));
      for (const s of e.sources) {
        const want = m.featureNames.reduce((acc, _, i) => (sources[i] === s.source ? acc + full.contributions[i]! : acc), 0);
        expect(s.contribution).toBeCloseTo(want, 12);
      }
      const margin = m.predictMargin(fx.columns.map((c) => Float32Array.of(c[r]!)), 1)[0]!;
      expect(e.bias + e.sources.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(margin, 4);
    }
  });
});

describe('gbdtFromBundleFiles on the shipped demo bundle', () => {
  it('builds the risk and RUL GBDTs with the manifest feature names; they explain the same margin', async () => {
    const b = await readBundle(DEMO_BUNDLE);
    const risk = gbdtFromBundleFiles(b.manifest, b.files);
    expect(risk.featureNames).toEqual(b.manifest.selectedFeatures);
    expect(risk.isRegression).toBe(false);
    const rul = gbdtFromBundleFiles(b.manifest, b.files, 'rul');
    expect(rul.isRegression).toBe(true);
    expect(rul.featureNames).toEqual(b.manifest.rul!.features);
    const sources = featureSources(b.manifest.features.definitions, risk.featureNames);
    expect(sources).toEqual(b.manifest.selectedFeatureDefs.map((d) => d.sensor));
    const row = Float32Array.from(risk.featureNames, (_, i) => i * 0.5);
    const e = explainUnit(risk, row, sources, 5);
    const margin = risk.predictMargin(Array.from(row, (v) => Float32Array.of(v)), 1)[0]!;
    expect(e.bias + e.sources.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(margin, 4);
  });

  it('refuses a changed, missing or mislabelled model file with BAD_FILE naming the file', async () => {
    const b = await readBundle(DEMO_BUNDLE);
    const file = b.manifest.models.gbdtXgboost.file;
    const tampered = new Map(b.files);
    const bytes = Uint8Array.from(b.files.get(file)!);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    tampered.set(file, bytes);
    const err = (f: () => unknown): PrognosError => {
      try {
        f();
      } catch (e) {
        if (e instanceof PrognosError) return e;
        throw e;
      }
      throw new Error('expected an error');
    };
    const e1 = err(() => gbdtFromBundleFiles(b.manifest, tampered));
    expect(e1.code).toBe('BAD_FILE');
    expect(e1.message).toMatch(/models\/gbdt\.xgboost\.json: sha256 differs from the manifest/);
    const missing = new Map(b.files);
    missing.delete(file);
    expect(err(() => gbdtFromBundleFiles(b.manifest, missing)).message).toMatch(/gbdt\.xgboost\.json: missing from the bundle/);
    const renamed = [...b.manifest.selectedFeatures];
    renamed[3] = 'not_a_feature';
    const manifest: BundleManifest = { ...b.manifest, selectedFeatures: renamed };
    const e3 = err(() => gbdtFromBundleFiles(manifest, b.files));
    expect(e3.code).toBe('BAD_FILE');
    expect(e3.message).toMatch(/feature 4 is "s11_min_5", the manifest says "not_a_feature"/);
    const noRul: BundleManifest = { ...b.manifest };
    delete (noRul as { rul?: unknown }).rul;
    expect(err(() => gbdtFromBundleFiles(noRul, b.files, 'rul')).message).toMatch(/no RUL model/);
  });
});
