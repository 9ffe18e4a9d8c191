import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { readBundle } from '../../../src/main/core/export/bundle';
import { createServeMetrics } from '../../../src/main/serve-model/metrics';
import {
  driftGauges,
  OnlineDrift,
  onlineDriftReference,
  type OnlineDriftReference,
} from '../../../src/main/serve-model/online-drift';
import { truncateUnits } from '../../helpers/onnx-fixtures';
import { CMAPSS, REPO } from '../../helpers/paths';

/** Deterministic standard normals (Box–Muller on an LCG). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / (2 ** 32 + 1);
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const FEATURES = ['a', 'b', 'c', 'd'];
const MEANS = [0, 10, -5, 100];
const SDS = [1, 2, 0.5, 20];

function synthetic(n: number, seed: number, shift: Partial<Record<number, number>> = {}): number[][] {
  const z = normals(seed);
  return Array.from({ length: n }, () => FEATURES.map((_, f) => MEANS[f]! + SDS[f]! * (z() + (shift[f] ?? 0))));
}

function syntheticReference(): OnlineDriftReference {
  const rows = synthetic(20_000, 7);
  return { features: FEATURES, values: FEATURES.map((_, f) => Float32Array.from(rows, (r) => r[f]!)) };
}

describe('online drift (synthetic reference)', () => {
  it('a window drawn from the reference does not drift (normalised Wasserstein by default)', () => {
    const d = new OnlineDrift(syntheticReference(), { windowRows: 5000 });
    d.observeFeatures(synthetic(5000, 99));
    const r = d.compute();
    expect(r.ready).toBe(true);
    expect(r.windowRows).toBe(5000);
    expect(r.features.map((f) => f.method)).toEqual(['wasserstein', 'wasserstein', 'wasserstein', 'wasserstein']);
    for (const f of r.features) {
      expect(f.drifted).toBe(false);
      expect(f.score).toBeLessThan(0.05);
    }
    expect(r.driftedShare).toBe(0);
    expect(r.datasetDrift).toBe(false);
  });

  it('the same window shifted by 2 sd in one feature: that feature, and only it, drifts', () => {
    const d = new OnlineDrift(syntheticReference(), { windowRows: 5000 });
    d.observeFeatures(synthetic(5000, 99, { 2: 2 }));
    const r = d.compute();
    expect(r.features.filter((f) => f.drifted).map((f) => f.feature)).toEqual(['c']);
    const c = r.features.find((f) => f.feature === 'c')!;
    // normalised Wasserstein of a 2 sd shift is about 2
    expect(c.score).toBeGreaterThan(1.8);
    expect(c.score).toBeLessThan(2.2);
    expect(c.currentMean - c.referenceMean).toBeCloseTo(2 * SDS[2]!, 0);
    expect(r.driftedShare).toBe(0.25);
    expect(r.datasetDrift).toBe(false);
  });

  it('the window slides: old rows leave it, so drift clears once the fleet is back', () => {
    const d = new OnlineDrift(syntheticReference(), { windowRows: 2000, minRows: 500 });
    d.observeFeatures(synthetic(2000, 5, { 0: 2, 1: 2, 2: 2 }));
    expect(d.compute().datasetDrift).toBe(true);
    d.observeFeatures(synthetic(2000, 6));
    const r = d.compute();
    expect(r.windowRows).toBe(2000);
    expect(r.features.some((f) => f.drifted)).toBe(false);
  });

  it("'auto' uses KS on small windows; a time window drops old rows; below minRows nothing drifts", () => {
    let now = 1_000_000;
    const d = new OnlineDrift(syntheticReference(), {
      windowRows: 5000,
      windowSeconds: 60,
      minRows: 100,
      method: 'auto',
      now: () => now,
    });
    d.observeFeatures(synthetic(50, 1, { 0: 3 }));
    let r = d.compute();
    expect(r.ready).toBe(false);
    expect(r.features.some((f) => f.drifted)).toBe(false);
    d.observeFeatures(synthetic(400, 2, { 0: 3 }));
    r = d.compute();
    expect(r.ready).toBe(true);
    expect(r.features[0]!.method).toBe('ks');
    expect(r.features[0]!.drifted).toBe(true);
    now += 61_000;
    d.observeFeatures(synthetic(300, 3));
    r = d.compute();
    expect(r.windowRows).toBe(300);
    expect(r.features[0]!.drifted).toBe(false);
  });

  it('publishes every effect size and the verdicts as gauges', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    const d = new OnlineDrift(syntheticReference(), { windowRows: 5000, onResult: (r) => m.setDrift(driftGauges(r)) });
    d.observeFeatures(synthetic(3000, 11, { 3: -2 }));
    d.compute();
    const t = await m.render();
    expect(t).toMatch(/^prognos_feature_drifted\{feature="d"\} 1$/m);
    expect(t).toMatch(/^prognos_feature_drifted\{feature="a"\} 0$/m);
    expect(t).toMatch(/^prognos_feature_drift_score\{feature="d",method="psi"\} [0-9.]+$/m);
    expect(t).toMatch(/^prognos_drift_window_rows 3000$/m);
    expect(t).toMatch(/^prognos_dataset_drift_share 0.25$/m);
  });

  it('refuses a row of the wrong width', () => {
    const d = new OnlineDrift(syntheticReference());
    expect(() => d.observeFeatures([[1, 2, 3]])).toThrow(/3 values, not 4 features/);
  });
});

describe('online drift (the shipped demo bundle, histories from its generator)', () => {
  let reference: OnlineDriftReference;
  let train: FleetTable;
  beforeAll(async () => {
    const bundle = await readBundle(join(REPO, 'resources', 'models', 'demo'));
    reference = onlineDriftReference(bundle, 'demo');
    // the demo was trained on a synthetic fleet (100 units, seed 1): another fleet from the same generator
    train = synthesizeFleet({ units: 100, seed: 2 });
  });

  /** Histories as the fleet sends them: every unit cut at 12 points across its life (≥ 30 cycles). */
  function histories(shiftSensor?: string): FleetTable[] {
    const out: FleetTable[] = [];
    for (let k = 0; k < 12; k++) {
      const t = truncateUnits(train, (_u, rows) => 30 + Math.floor(((k + 0.5) / 12) * (rows - 30)));
      if (shiftSensor === undefined) out.push(t);
      else {
        const j = t.columns.findIndex((c) => c.name === shiftSensor);
        const v = t.values[j]!;
        let mean = 0;
        for (const x of v) mean += x / v.length;
        let sd = 0;
        for (const x of v) sd += (x - mean) ** 2 / v.length;
        sd = Math.sqrt(sd);
        out.push({ ...t, values: t.values.map((col, i) => (i === j ? col.map((x) => x + 2 * sd) : col)) });
      }
    }
    return out;
  }

  it('computes the recipe features of observed histories at each unit last row, off the request path', () => {
    const d = new OnlineDrift(reference, { windowRows: 5000 });
    for (const t of histories()) d.observe(t);
    const r = d.compute();
    expect(r.windowRows).toBe(12 * 100);
    expect(r.features.map((f) => f.feature)).toEqual(reference.features);
    expect(r.datasetDrift).toBe(false);
    // the features of a sensor shifted by 2 sd drift, far more than before
    const s = new OnlineDrift(reference, { windowRows: 5000 });
    for (const t of histories('s11')) s.observe(t);
    const shifted = s.compute();
    // level features move with the sensor (slopes, spreads and differences do not)
    const level = /^s11(_(mean|min|max)_\d+|_ewma)?$/;
    const s11 = shifted.features.filter((f) => level.test(f.feature));
    expect(s11.length).toBeGreaterThan(0);
    for (const f of s11) expect(f.drifted).toBe(true);
    for (const f of shifted.features.filter((x) => !x.feature.startsWith('s11'))) expect(f.drifted).toBe(false);
    const before = r.features.filter((f) => level.test(f.feature));
    for (const f of before) expect(f.drifted).toBe(false);
  });

  it('keeps at most maxQueued histories between two drains, sampled from all of them', () => {
    const d = new OnlineDrift(reference, { windowRows: 5000, maxQueued: 5, random: () => 0 });
    const one = (u: number): FleetTable => truncateUnits(train, (unit) => (unit === u ? 200 : 0));
    for (let u = 1; u <= 40; u++) d.observe(one(u));
    // 40 histories seen, 5 kept (each later one replaces a random slot)
    d.drainQueue();
    expect(d.compute().windowRows).toBe(5);
    for (let u = 1; u <= 3; u++) d.observe(one(u));
    expect(d.compute().windowRows).toBe(8);
  });

  it('real FD001 histories are a different fleet from the synthetic one the demo learned: they drift', async () => {
    const fd001 = (await parseFleetFile(join(CMAPSS, 'train_FD001.txt'))).table;
    const d = new OnlineDrift(reference, { windowRows: 5000 });
    d.observe(truncateUnits(fd001, (_u, rows) => rows));
    for (let k = 0; k < 10; k++)
      d.observe(truncateUnits(fd001, (_u, rows) => 30 + Math.floor(((k + 0.5) / 10) * (rows - 30))));
    const r = d.compute();
    expect(r.windowRows).toBe(1100);
    expect(r.ready).toBe(true);
    expect(r.datasetDrift).toBe(true);
  });
});
