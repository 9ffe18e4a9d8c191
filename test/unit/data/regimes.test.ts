/**
 * Operating-regime detection: the generator's six regimes are found (the same partition of rows up to
 * relabelling), FD001 has one, and generic tables (no settings, one setting, constant settings) work.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignRegimeRows, detectRegimes, regimeScatter, roundingStep, separatingSettings, STRONG_SILHOUETTE } from '../../../src/main/core/data/regimes';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { synthesizeFleetWithRegimes } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { CMAPSS } from '../../helpers/paths';

/** True when `a` and `b` are the same partition of the rows, up to relabelling. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]!) ?? b[i]!) !== b[i]! || (ba.get(b[i]!) ?? a[i]!) !== a[i]!) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

function tableWith(settings: number[][], rows: number): FleetTable {
  return {
    rowCount: rows,
    unit: new Int32Array(rows).fill(1),
    cycle: Int32Array.from({ length: rows }, (_, i) => i + 1),
    columns: [
      ...settings.map((_, i) => ({ name: `op${i}`, original: `op${i}`, role: 'setting' as const })),
      { name: 'x', original: 'x', role: 'sensor' as const },
    ],
    values: [...settings.map((s) => Float64Array.from(s)), Float64Array.from({ length: rows }, (_, i) => i)],
  };
}

describe('regime detection', () => {
  it('finds the six regimes of a synthetic fleet: the same partition of rows as the generator', () => {
    const { table, regime } = synthesizeFleetWithRegimes({ units: 20, seed: 5, regimes: 6 });
    const r = detectRegimes(table);
    expect(r.k).toBe(6);
    expect(r.rows.reduce((a, b) => a + b, 0)).toBe(table.rowCount);
    const detected = assignRegimeRows(table, r);
    expect(samePartition(detected, regime)).toBe(true);
    // a wrong partition is told apart (the comparison can fail)
    const shuffled = Int32Array.from(regime, (v, i) => (i % 97 === 0 ? (v + 1) % 6 : v));
    expect(samePartition(detected, shuffled)).toBe(false);
    // centroids in the settings' own units: altitude (kft), Mach, throttle resolver angle
    expect(r.settings).toEqual(['setting1', 'setting2', 'setting3']);
    expect(r.centroids.map((c) => Math.round(c[0]!) + 0)).toEqual([0, 10, 20, 25, 35, 42]);
    expect(r.centroids[3]![2]).toBe(60);
    const best = r.scores.find((s) => s.k === 6)!.silhouette!;
    expect(best).toBeGreaterThanOrEqual(STRONG_SILHOUETTE);
    expect(r.scores.map((s) => s.k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('is deterministic, and the training units alone give the same answer', () => {
    const { table } = synthesizeFleetWithRegimes({ units: 12, seed: 9, regimes: 6 });
    expect(detectRegimes(table)).toEqual(detectRegimes(table));
    const fit = Uint8Array.from(table.unit, (u) => (u % 3 === 0 ? 0 : 1));
    const part = detectRegimes(table, { fitRows: fit });
    expect(part.k).toBe(6);
    expect(part.rows.reduce((a, b) => a + b, 0)).toBe(fit.reduce((a, b) => a + b, 0));
  });

  it('finds six regimes, the generator partition, on many seeds and fleet sizes (and on their training units)', () => {
    for (let seed = 1; seed <= 16; seed++) {
      const units = 3 + (seed % 5) * 4;
      const { table, regime } = synthesizeFleetWithRegimes({ units, seed, regimes: 6 });
      const r = detectRegimes(table);
      expect(r.k, `seed ${seed}, ${units} units`).toBe(6);
      expect(samePartition(assignRegimeRows(table, r), regime), `seed ${seed}`).toBe(true);
      const fit = Uint8Array.from(table.unit, (u) => (u % 4 === 1 ? 0 : 1));
      expect(detectRegimes(table, { fitRows: fit }).k, `seed ${seed}, part`).toBe(6);
      // a split along rounded noise levels is scored but never chosen
      for (const s of r.scores) if (s.overSplit === true) expect(s.k).toBeGreaterThan(6);
    }
  });

  it('one regime for single-regime synthetic fleets, and for FD001-like noise on every seed', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { table } = synthesizeFleetWithRegimes({ units: 3 + seed, seed, regimes: 1 });
      expect(detectRegimes(table).k, `seed ${seed}`).toBe(1);
    }
  });

  it('one regime for a single-regime synthetic fleet', () => {
    const { table } = synthesizeFleetWithRegimes({ units: 10, seed: 2, regimes: 1 });
    const r = detectRegimes(table);
    expect(r.k).toBe(1);
    expect(r.rows).toEqual([table.rowCount]);
  });

  it('FD001 has one operating regime (also on subsets of its units)', async () => {
    const { table } = await parseFleetFile(join(CMAPSS, 'train_FD001.txt'));
    for (let m = 2; m <= 5; m++) expect(detectRegimes(table, { fitRows: Uint8Array.from(table.unit, (u) => (u % m === 0 ? 1 : 0)) }).k).toBe(1);
    const r = detectRegimes(table);
    expect(r.k).toBe(1);
    expect(r.rows).toEqual([table.rowCount]);
    // setting3 (throttle 100) is constant; the others are noise without strong cluster structure
    expect(r.settings).toEqual(['setting1', 'setting2']);
    const best = Math.max(...r.scores.flatMap((s) => (s.silhouette === null ? [] : [s.silhouette])));
    expect(best).toBeLessThan(STRONG_SILHOUETTE);
  });

  it('generic tables: no settings, constant settings, one setting with two levels', () => {
    const none: FleetTable = { ...tableWith([], 50) };
    const r0 = detectRegimes(none);
    expect(r0).toMatchObject({ k: 1, settings: [], note: 'no operating-setting columns', rows: [50] });

    const constant = detectRegimes(tableWith([new Array<number>(40).fill(3.2), new Array<number>(40).fill(0)], 40));
    expect(constant.k).toBe(1);
    expect(constant.note).toMatch(/constant after rounding/);

    // tiny noise around one value rounds away
    const noisy = detectRegimes(tableWith([Array.from({ length: 300 }, (_, i) => 100 + ((i % 7) - 3) * 1e-4)], 300));
    expect(noisy.k).toBe(1);

    const twoLevels = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 60 : 100) + ((i % 5) - 2) * 0.01);
    const two = detectRegimes(tableWith([twoLevels], 300));
    expect(two.k).toBe(2);
    expect(two.rows).toEqual([100, 200]);
    expect(two.centroids.map((c) => Math.round(c[0]!))).toEqual([60, 100]);
  });

  it('a scatter of at most 5,000 rows on the two settings that separate the regimes best, coloured by regime', () => {
    const { table, regime } = synthesizeFleetWithRegimes({ units: 40, seed: 3, regimes: 6 });
    const r = detectRegimes(table);
    // altitude and Mach separate the six flight conditions; the throttle angle only one of them
    expect(separatingSettings(r)).toEqual(['setting1', 'setting2', 'setting3']);
    const s = regimeScatter(table, r, 5000)!;
    expect(table.rowCount).toBeGreaterThan(5000);
    expect(s.axes).toEqual(['setting1', 'setting2']);
    expect(s.x.length).toBeLessThanOrEqual(5000);
    expect(s.x.length).toBeGreaterThan(2500);
    expect(s.y).toHaveLength(s.x.length);
    // every point is coloured with the regime the generator flew that row in (up to relabelling)
    const step = Math.ceil(table.rowCount / 5000);
    const generator = Int32Array.from(s.regime, (_, k) => regime[k * step]!);
    expect(samePartition(Int32Array.from(s.regime), generator)).toBe(true);
    expect(new Set(s.regime).size).toBe(6);
    // no settings: no scatter
    expect(regimeScatter(tableWith([], 10), detectRegimes(tableWith([], 10)))).toBeNull();
  });

  it('rounds to three significant digits of the largest magnitude', () => {
    expect(roundingStep(42.0049)).toBeCloseTo(0.1, 12);
    expect(roundingStep(0.84)).toBeCloseTo(0.001, 12);
    expect(roundingStep(100)).toBe(1);
    expect(roundingStep(0)).toBe(1);
  });

  it('a 1M-row table takes well under a second (subsampled)', () => {
    const { table } = synthesizeFleetWithRegimes({ units: 5000, seed: 1, regimes: 6 });
    expect(table.rowCount).toBeGreaterThan(900_000);
    const t0 = performance.now();
    const r = detectRegimes(table);
    const ms = performance.now() - t0;
    expect(r.k).toBe(6);
    expect(r.sampleRows).toBe(2000);
    expect(ms).toBeLessThan(3000);
  });
});
