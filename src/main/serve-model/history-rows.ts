/** Checks shared by the feature stores: rows of one unit in strictly increasing cycle order. */
import { PrognosError } from '../../shared/errors';
import type { HistoryRow } from './types';

/**
 * Throws INVALID_INPUT naming the first row (`rows[i].cycle`) whose cycle is missing, not a whole
 * number, or not after the previous one (`after`: the unit's last stored cycle).
 */
export function checkCycleOrder(rows: readonly HistoryRow[], after: number | undefined, field = 'rows'): void {
  let prev = after;
  rows.forEach((r, i) => {
    const c = r.cycle;
    if (typeof c !== 'number' || !Number.isInteger(c)) {
      throw new PrognosError('INVALID_INPUT', `${field}[${i}].cycle: must be a whole number`, { field: `${field}[${i}].cycle` });
    }
    if (prev !== undefined && c <= prev) {
      const what = i === 0 && after !== undefined ? `the unit's last stored cycle ${after}` : `the previous row's cycle ${prev}`;
      throw new PrognosError('INVALID_INPUT', `${field}[${i}].cycle: cycle ${c} is not after ${what} (cycles must be strictly increasing)`, {
        field: `${field}[${i}].cycle`,
      });
    }
    prev = c;
  });
}
