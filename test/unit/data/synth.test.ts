import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import {
  CMAPSS_DECIMALS,
  formatCmapssRow,
  healthIndex,
  synthesizeFleet,
  synthUnitPlans,
  writeSynthFleet,
} from '../../../src/main/core/data/synth';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';

const dir = mkdtempSync(join(tmpdir(), 'prognos-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function correlation(x: ArrayLike<number>, y: ArrayLike<number>, start: number, end: number): number {
  const n = end - start;
  let mx = 0;
  let my = 0;
  for (let i = start; i < end; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = start; i < end; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function column(t: FleetTable, name: string): Float64Array {
  return t.values[t.columns.findIndex((c) => c.name === name)]!;
}

describe('synthetic fleet', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    const c = join(dir, 'c.txt');
    await writeSynthFleet({ units: 20, seed: 5, out: a });
    await writeSynthFleet({ units: 20, seed: 5, out: b });
    await writeSynthFleet({ units: 20, seed: 6, out: c });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    expect(synthesizeFleet({ units: 20, seed: 5 })).toEqual(synthesizeFleet({ units: 20, seed: 5 }));
  });

  it('gives every unit increasing cycles from 1 and a failure at its last cycle', () => {
    const opts = { units: 200, seed: 11 };
    const t = synthesizeFleet(opts);
    const plans = synthUnitPlans(opts);
    const spans = unitSpans(t);
    expect(spans.map((s) => s.unit)).toEqual(plans.map((p) => p.unit));
    for (const [k, span] of spans.entries()) {
      const plan = plans[k]!;
      expect(span.end - span.start).toBe(plan.life);
      for (let r = span.start; r < span.end; r++) expect(t.cycle[r]).toBe(r - span.start + 1);
      expect(plan.life).toBeGreaterThan(0);
      expect(healthIndex(plan, 0)).toBeCloseTo(1 - plan.wear, 12);
      expect(healthIndex(plan, plan.life)).toBeLessThanOrEqual(0);
      expect(healthIndex(plan, plan.life - 1)).toBeGreaterThan(0);
      expect(plan.wear).toBeGreaterThan(0);
      expect(plan.wear).toBeLessThan(0.1);
    }
  });

  it('has FD001-like lives, settings and sensors', () => {
    const t = synthesizeFleet({ units: 300, seed: 3 });
    const s = summarizeFleet(t);
    expect(s.units).toBe(300);
    expect(s.minCycles).toBeGreaterThanOrEqual(128);
    expect(s.maxCycles).toBeLessThanOrEqual(362);
    expect(s.medianCycles).toBeGreaterThan(180);
    expect(s.medianCycles).toBeLessThan(220);
    expect(s.constantColumns).toEqual(['setting3', 's1', 's5', 's10', 's16', 's18', 's19']);
    const stat = (name: string) => s.columns.find((c) => c.name === name)!;
    expect(stat('s1').mean).toBe(518.67);
    expect(stat('setting1').mean).toBeCloseTo(0, 3);
    expect(stat('setting1').std).toBeGreaterThan(0.001);
    expect(stat('setting1').std).toBeLessThan(0.004);
    expect(stat('s2').mean).toBeGreaterThan(641);
    expect(stat('s2').mean).toBeLessThan(645);
    expect(stat('s14').mean).toBeGreaterThan(8100);
    expect(stat('s14').mean).toBeLessThan(8200);
    expect(stat('s17').min).toBe(Math.round(stat('s17').min));
  });

  it('makes sensors trend with degradation: up for s2, s3, s4, s11; down for s7, s12, s20, s21', () => {
    const t = synthesizeFleet({ units: 50, seed: 9 });
    const rul = new Float64Array(t.rowCount);
    for (const span of unitSpans(t)) for (let r = span.start; r < span.end; r++) rul[r] = span.end - 1 - r;
    const corr = (name: string): number => correlation(column(t, name), rul, 0, t.rowCount);
    for (const name of ['s2', 's3', 's4', 's11']) expect(corr(name)).toBeLessThan(-0.4);
    for (const name of ['s7', 's12', 's20', 's21']) expect(corr(name)).toBeGreaterThan(0.4);
    // and the end of life is clearly away from the start, unit by unit
    for (const span of unitSpans(t)) {
      const s11 = column(t, 's11');
      const head = (s11[span.start]! + s11[span.start + 1]! + s11[span.start + 2]!) / 3;
      const tail = (s11[span.end - 1]! + s11[span.end - 2]! + s11[span.end - 3]!) / 3;
      expect(tail - head).toBeGreaterThan(0.5);
    }
  });

  it('has six operating regimes on request', () => {
    const t = synthesizeFleet({ units: 10, seed: 1, regimes: 6 });
    const alt = new Set([...column(t, 'setting1')].map((v) => Math.round(v)));
    expect([...alt].sort((a, b) => a - b)).toEqual([0, 10, 20, 25, 35, 42]);
    const tra = new Set(column(t, 'setting3'));
    expect([...tra].sort((a, b) => a - b)).toEqual([60, 100]);
    // constant sensors are constant within a regime but differ between regimes
    const s1 = new Set(column(t, 's1'));
    expect(s1.size).toBe(6);
  });

  it('round-trips: writeSynthFleet → parseFleetFile equals synthesizeFleet', async () => {
    for (const regimes of [1, 6] as const) {
      const out = join(dir, `round-${regimes}.txt`);
      const opts = { units: 40, seed: 123, regimes };
      const written = await writeSynthFleet({ ...opts, out });
      const parsed = await parseFleetFile(out);
      const table = synthesizeFleet(opts);
      expect(written.rows).toBe(table.rowCount);
      expect(written.units).toBe(40);
      expect(written.bytes).toBe(readFileSync(out).length);
      expect(parsed.table.rowCount).toBe(table.rowCount);
      expect(parsed.table.unit).toEqual(table.unit);
      expect(parsed.table.cycle).toEqual(table.cycle);
      expect(parsed.table.columns).toEqual(table.columns);
      // values are rounded to the printed precision, so the round trip is exact
      expect(parsed.table.values).toEqual(table.values);
    }
  });

  it('writes NASA-style rows', async () => {
    const out = join(dir, 'fmt.txt');
    await writeSynthFleet({ units: 3, seed: 2, out });
    const lines = readFileSync(out, 'latin1').split('\n');
    expect(lines[lines.length - 1]).toBe('');
    const t = synthesizeFleet({ units: 3, seed: 2 });
    for (let r = 0; r < t.rowCount; r++) {
      const row = t.values.map((v) => v[r]!);
      expect(lines[r]).toBe(formatCmapssRow(t.unit[r]!, t.cycle[r]!, row));
      // the same text as toFixed with the NASA precision
      expect(lines[r]).toBe([t.unit[r], t.cycle[r], ...row.map((v, c) => v.toFixed(CMAPSS_DECIMALS[c]))].join(' '));
    }
    const first = lines[0]!.split(' ');
    expect(first).toHaveLength(26);
    expect(first[4]).toBe('100.0');
    expect(first[5]).toBe('518.67');
    expect(first[21]).toMatch(/^\d+$/); // s17 as an integer
  });

  it('formats rows like the NASA files', () => {
    const values = [
      -0.0007, -0.0004, 100, 518.67, 641.82, 1589.7, 1400.6, 14.62, 21.61, 554.36, 2388.06, 9046.19, 1.3, 47.47, 521.66,
      2388.02, 8138.62, 8.4195, 0.03, 392, 2388, 100, 39.06, 23.419,
    ];
    expect(formatCmapssRow(1, 1, values)).toBe(
      '1 1 -0.0007 -0.0004 100.0 518.67 641.82 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30 47.47 521.66 2388.02 8138.62 8.4195 0.03 392 2388 100.00 39.06 23.4190',
    );
    const tiny = [...values];
    tiny[0] = -0.00001;
    expect(formatCmapssRow(1, 1, tiny).split(' ')[2]).toBe('0.0000');
  });

  it('formats any value like toFixed with the given decimals', () => {
    let seed = 1;
    const next = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let k = 0; k < 20_000; k++) {
      const decimals = Math.floor(next() * 5);
      const p = 10 ** decimals;
      const magnitude = 10 ** Math.floor(next() * 11);
      const v = Math.round((next() - 0.5) * magnitude * p) / p + 0;
      const text = formatCmapssRow(7, 12, [v], [decimals]);
      expect(text).toBe(`7 12 ${v.toFixed(decimals)}`);
    }
    expect(() => formatCmapssRow(1, 1, [1e15], [1])).toThrow(/cannot write/);
    expect(() => formatCmapssRow(1, 1, [NaN], [1])).toThrow(/cannot write/);
  });

  it('writes a million rows in a few seconds', async () => {
    const out = join(dir, 'big.txt');
    const started = performance.now();
    const r = await writeSynthFleet({ units: 5000, seed: 1, out });
    const seconds = (performance.now() - started) / 1000;
    expect(r.rows).toBeGreaterThanOrEqual(1_000_000);
    expect(r.units).toBe(5000);
    expect(seconds).toBeLessThan(20);
    rmSync(out);
  }, 60_000);

  it('rejects bad options', () => {
    expect(() => synthesizeFleet({ units: 0, seed: 1 })).toThrow(/units/);
    expect(() => synthesizeFleet({ units: 2, seed: 1.5 })).toThrow(/seed/);
  });

  it('writes a test set: units cut before failure, with their true RUL', async () => {
    const full = synthesizeFleet({ units: 20, seed: 9 });
    const out = join(dir, 'test-set.txt');
    const rulOut = join(dir, 'test-set-rul.txt');
    await writeSynthFleet({ units: 20, seed: 9, out, rulOut });
    const parsed = await parseFleetFile(out, { rulPath: rulOut });
    const fullSpans = unitSpans(full);
    const cutSpans = unitSpans(parsed.table);
    expect(cutSpans).toHaveLength(20);
    for (let u = 0; u < 20; u++) {
      const life = fullSpans[u]!.end - fullSpans[u]!.start;
      const kept = cutSpans[u]!.end - cutSpans[u]!.start;
      expect(kept).toBeLessThan(life);
      expect(kept).toBeGreaterThanOrEqual(Math.round(life * 0.3) - 1);
      // the RUL file says how many cycles were cut off
      expect(parsed.table.rulAtEnd!.get(cutSpans[u]!.unit)).toBe(life - kept);
      // the rows kept are the unit's first rows, unchanged
      expect(parsed.table.values[5]![cutSpans[u]!.start + kept - 1]).toBe(full.values[5]![fullSpans[u]!.start + kept - 1]);
    }
  });
});
