import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { buildWindows, windowEnds } from '../../../src/main/core/windows';

// units 1 (5 rows), 2 (3 rows), 3 (6 rows); feature 0 = row index, feature 1 = 100 × unit
const unit = Int32Array.from([1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
const table = { rowCount: unit.length, unit };
const rowIndex = Float32Array.from(unit, (_, i) => i);
const unitTag = Float32Array.from(unit, (u) => 100 * u);
const columns = [rowIndex, unitTag];

function windowRows(w: { data: Float32Array; length: number; features: number }, k: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < w.length; t++) out.push(w.data[(k * w.length + t) * w.features]!);
  return out;
}

describe('buildWindows', () => {
  it('lays out [n, length, features] oldest first and left-pads with the unit’s first row', () => {
    const w = buildWindows(columns, table, Int32Array.from([0, 2, 4, 9, 13]), 4);
    expect([w.n, w.length, w.features]).toEqual([5, 4, 2]);
    expect(w.data.length).toBe(5 * 4 * 2);
    expect(windowRows(w, 0)).toEqual([0, 0, 0, 0]);
    expect(windowRows(w, 1)).toEqual([0, 0, 1, 2]);
    expect(windowRows(w, 2)).toEqual([1, 2, 3, 4]);
    expect(windowRows(w, 3)).toEqual([8, 8, 8, 9]);
    expect(windowRows(w, 4)).toEqual([10, 11, 12, 13]);
    // rows 0, 2 and 9 have fewer than 4 rows of history
    expect(w.padded).toBe(3);
    expect(w.shortUnitWindows).toBe(0);
  });

  it('never mixes rows of two units', () => {
    const rows = Int32Array.from({ length: table.rowCount }, (_, i) => i);
    const w = buildWindows(columns, table, rows, 6);
    for (let k = 0; k < w.n; k++) {
      for (let t = 0; t < w.length; t++) {
        expect(w.data[(k * w.length + t) * 2 + 1]).toBe(100 * unit[rows[k]!]!);
      }
    }
  });

  it('counts the windows of units shorter than the window', () => {
    const rows = Int32Array.from({ length: table.rowCount }, (_, i) => i);
    const w = buildWindows(columns, table, rows, 4);
    expect(w.shortUnitWindows).toBe(3); // unit 2 has 3 rows
    expect(w.padded).toBe(3 + 3 + 3); // first three rows of units 1 and 3, all of unit 2
    expect(windowRows(w, 7)).toEqual([5, 5, 6, 7]);
  });

  it('rejects rows outside the table and columns of the wrong length', () => {
    expect(() => buildWindows(columns, table, Int32Array.from([14]), 3)).toThrow(PrognosError);
    expect(() => buildWindows([new Float32Array(3)], table, Int32Array.from([0]), 3)).toThrow(PrognosError);
    expect(() => buildWindows(columns, table, Int32Array.from([0]), 0)).toThrow(PrognosError);
  });
});

describe('windowEnds', () => {
  it('lists every row by default, with padding and short units reported', () => {
    const e = windowEnds(table, undefined, { length: 4 });
    expect(Array.from(e.rows)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(e.shortUnits).toEqual([2]);
    expect(e.skippedUnits).toEqual([]);
    expect(e.padded).toBe(9);
  });

  it('keeps only full windows when asked and skips units shorter than the window', () => {
    const e = windowEnds(table, undefined, { length: 4, fullOnly: true });
    expect(Array.from(e.rows)).toEqual([3, 4, 11, 12, 13]);
    expect(e.shortUnits).toEqual([2]);
    expect(e.skippedUnits).toEqual([2]);
    expect(e.padded).toBe(0);
  });

  it('takes every stride-th row counted back from each unit’s last row', () => {
    const e = windowEnds(table, [1, 3], { length: 2, stride: 2 });
    expect(Array.from(e.rows)).toEqual([0, 2, 4, 9, 11, 13]);
    const full = windowEnds(table, [3], { length: 3, stride: 3, fullOnly: true });
    expect(Array.from(full.rows)).toEqual([10, 13]);
  });

  it('restricts to explicit candidate rows', () => {
    const e = windowEnds(table, Int32Array.from([1, 6, 7, 12]), { length: 3 });
    expect(Array.from(e.rows)).toEqual([1, 6, 7, 12]);
    expect(e.padded).toBe(2); // rows 1 and 6 have two rows of history
    expect(() => windowEnds(table, Int32Array.from([99]))).toThrow(PrognosError);
    expect(() => windowEnds(table, undefined, { stride: 0 })).toThrow(PrognosError);
  });
});
