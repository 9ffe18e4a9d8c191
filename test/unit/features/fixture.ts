/** Tiny hand-checkable fleet: two units, settings + three sensors. */
import { type ColumnInfo, type FleetTable } from '../../../src/main/core/data/table';

export const FIXTURE_COLUMNS: readonly ColumnInfo[] = [
  { name: 'setting1', original: 'setting1', role: 'setting' },
  { name: 's1', original: 's1', role: 'sensor' },
  { name: 's2', original: 's2', role: 'sensor' },
  { name: 's3', original: 's3', role: 'sensor' },
];

/** Unit 1: cycles 1..5; unit 2: cycles 1..4. s1 noisy, s2 a straight line per unit, s3 constant. */
export function fixtureTable(unit1S1: readonly number[] = [1, 3, 2, 5, 4]): FleetTable {
  const unit = Int32Array.from([1, 1, 1, 1, 1, 2, 2, 2, 2]);
  const cycle = Int32Array.from([1, 2, 3, 4, 5, 1, 2, 3, 4]);
  const setting1 = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const s1 = Float64Array.from([...unit1S1, 100, 90, 95, 80]);
  const s2 = Float64Array.from([12, 14, 16, 18, 20, 5, 4, 3, 2]);
  const s3 = Float64Array.from([7, 7, 7, 7, 7, 7, 7, 7, 7]);
  return { rowCount: 9, unit, cycle, columns: FIXTURE_COLUMNS, values: [setting1, s1, s2, s3] };
}
