/** A fleet table of 600,000 rows and 24 value columns (115 MB of columns), the same on every call: no vitest here (a child process builds it too). */
import { CMAPSS_VALUE_COLUMNS, type FleetTable } from '../../../src/main/core/data/table';

export function largeTable(): FleetTable {
  const units = 3000;
  const cycles = 200;
  const n = units * cycles;
  const unit = new Int32Array(n);
  const cycle = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    unit[i] = Math.floor(i / cycles) + 1;
    cycle[i] = (i % cycles) + 1;
  }
  let s = 3;
  const values = CMAPSS_VALUE_COLUMNS.map((_, j) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      v[i] = j + s / 2 ** 32;
    }
    return v;
  });
  return { rowCount: n, unit, cycle, columns: CMAPSS_VALUE_COLUMNS, values };
}
