import { describe, expect, it } from 'vitest';
import type { FleetTable } from '../../../src/main/core/data/table';
import { dataQualityNotes } from '../../../src/main/core/report/quality';

/** units as [id, cycles[]] with two sensors: s1 varies, s2 constant */
function table(units: [number, number[]][], rul?: number[]): FleetTable {
  const unit = Int32Array.from(units.flatMap(([u, cs]) => cs.map(() => u)));
  const cycle = Int32Array.from(units.flatMap(([, cs]) => cs));
  return {
    rowCount: unit.length,
    unit,
    cycle,
    columns: [
      { name: 's1', original: 's1', role: 'sensor' },
      { name: 's2', original: 's2', role: 'sensor' },
    ],
    values: [Float64Array.from(cycle, (c) => c * 0.5), new Float64Array(unit.length).fill(7)],
    ...(rul === undefined ? {} : { rulAtEnd: new Map(units.map(([u], k) => [u, rul[k]!])) }),
  };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('data-quality notes', () => {
  it('sizes, constant columns, short histories, cycle gaps, late starts, no RUL file', () => {
    const notes = dataQualityNotes(table([[1, range(1, 40)], [2, range(1, 10)], [3, [1, 2, 3, 5, ...range(6, 40)]], [4, range(5, 44)]]), 30);
    expect(notes).toEqual([
      '4 units, 129 rows; 10–40 cycles per unit (median 39.5).',
      'Constant columns (no information): s2.',
      "1 unit has fewer than 30 cycles of history (the model's window), so the LSTM reads a padded window: 2.",
      '1 unit has gaps in the cycle count: 3.',
      '1 unit does not start at cycle 1: 4.',
      'No RUL file: the true remaining life of the units is unknown, so the report shows predictions only.',
    ]);
  });
  it('a clean fleet with its RUL file says so in one note', () => {
    const notes = dataQualityNotes({ ...table([[1, range(1, 40)], [2, range(1, 35)]], [10, 20]), values: [Float64Array.from(range(1, 75)), Float64Array.from(range(1, 75), (x) => -x)] }, 30);
    expect(notes).toEqual(['2 units, 75 rows; 35–40 cycles per unit (median 37.5); no constant columns, short histories or cycle gaps.']);
  });
});
