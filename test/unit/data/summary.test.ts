import { describe, expect, it } from 'vitest';
import { datasetSummarySchema } from '../../../src/shared/schemas';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import type { FleetTable } from '../../../src/main/core/data/table';

/** 3 units with 2, 3 and 1 rows; a constant sensor, a varying sensor with a large offset. */
const table: FleetTable = {
  rowCount: 6,
  unit: Int32Array.from([1, 1, 2, 2, 2, 7]),
  cycle: Int32Array.from([1, 2, 1, 2, 3, 1]),
  columns: [
    { name: 'setting1', original: 'setting1', role: 'setting' },
    { name: 's1', original: 'Sensor 1', role: 'sensor' },
    { name: 's2', original: 's2', role: 'sensor' },
  ],
  values: [
    Float64Array.from([0, 0.5, -0.5, 1, 0, 0]),
    Float64Array.from([518.67, 518.67, 518.67, 518.67, 518.67, 518.67]),
    Float64Array.from([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 5, 1e9 + 6]),
  ],
};

describe('summarizeFleet', () => {
  it('computes sizes, cycles per unit and column statistics', () => {
    const s = summarizeFleet(table);
    expect(datasetSummarySchema.parse(s)).toEqual(s);
    expect(s.rows).toBe(6);
    expect(s.units).toBe(3);
    expect(s.minCycles).toBe(1);
    expect(s.medianCycles).toBe(2);
    expect(s.maxCycles).toBe(3);
    expect(s.hasRul).toBe(false);
    const byName = new Map(s.columns.map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual(['unit', 'cycle', 'setting1', 's1', 's2']);
    const unit = byName.get('unit')!;
    expect(unit).toMatchObject({ role: 'unit', min: 1, max: 7, constant: false });
    expect(unit.mean).toBeCloseTo(15 / 6, 12);
    // population std of 1,1,2,2,2,7
    const m = 15 / 6;
    const sd = Math.sqrt([1, 1, 2, 2, 2, 7].reduce((a, x) => a + (x - m) ** 2, 0) / 6);
    expect(unit.std).toBeCloseTo(sd, 12);
    const cycle = byName.get('cycle')!;
    expect(cycle).toMatchObject({ min: 1, max: 3, constant: false });
    expect(cycle.mean).toBeCloseTo(10 / 6, 12);
    const setting = byName.get('setting1')!;
    expect(setting).toMatchObject({ min: -0.5, max: 1, constant: false });
    expect(setting.mean).toBeCloseTo(1 / 6, 12);
    const s1 = byName.get('s1')!;
    expect(s1).toEqual({
      name: 's1',
      original: 'Sensor 1',
      role: 'sensor',
      min: 518.67,
      max: 518.67,
      mean: 518.67,
      std: 0,
      constant: true,
    });
    // a large offset does not spoil the std: 1..6 has population std sqrt(35/12)
    const s2 = byName.get('s2')!;
    expect(s2.mean).toBe(1e9 + 3.5);
    expect(s2.std).toBeCloseTo(Math.sqrt(35 / 12), 9);
    expect(s2.constant).toBe(false);
    expect(s.constantColumns).toEqual(['s1']);
  });

  it('uses the exact population std on a setting column', () => {
    const s = summarizeFleet(table);
    const xs = [0, 0.5, -0.5, 1, 0, 0];
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
    expect(s.columns.find((c) => c.name === 'setting1')!.std).toBeCloseTo(sd, 14);
  });

  it('flags nearly constant columns with the relative tolerance', () => {
    const t: FleetTable = {
      ...table,
      values: [
        Float64Array.from([2388, 2388, 2388, 2388, 2388, 2388 + 1e-7]),
        Float64Array.from([0, 0, 0, 0, 0, 1e-8]),
        Float64Array.from([0, 0, 0, 0, 0, 1e-3]),
      ],
    };
    const s = summarizeFleet(t);
    expect(s.constantColumns).toEqual(['setting1']);
  });

  it('reports the median of an even number of units and hasRul', () => {
    const t: FleetTable = { ...table, rulAtEnd: new Map([[1, 5]]) };
    const s = summarizeFleet({ ...t, unit: Int32Array.from([1, 2, 2, 2, 3, 3]) });
    // units with 1, 3 and 2 rows
    expect(s.medianCycles).toBe(2);
    const four = summarizeFleet({ ...t, unit: Int32Array.from([1, 2, 2, 3, 3, 4]) });
    // 1, 2, 2, 1 rows → median 1.5
    expect(four.medianCycles).toBe(1.5);
    expect(four.hasRul).toBe(true);
  });
});
