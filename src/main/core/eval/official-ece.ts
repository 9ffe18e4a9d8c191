/** Expected calibration error of per-row probabilities on an official test table, at the last cycle and over all cycles. */
import type { FleetTable } from '../data/table';
import { DEFAULT_FAIL_WINDOW } from '../labels';
import { reliability } from './calibration';
import { DEFAULT_HISTORY_WINDOW, fullWindowRows, lastCycleRows, officialLabels, pickRows } from './official';

export interface OfficialEce {
  readonly lastCycle: number | null;
  readonly allCycles: number | null;
}

export function officialEce(
  table: Pick<FleetTable, 'rowCount' | 'unit' | 'cycle' | 'rulAtEnd'>,
  p: ArrayLike<number>,
  opts: { labelWindow?: number; historyWindow?: number } = {},
): OfficialEce {
  const { label } = officialLabels(table, opts.labelWindow ?? DEFAULT_FAIL_WINDOW);
  const at = (rows: Int32Array): number | null => reliability(pickRows(p, rows), pickRows(label, rows)).ece;
  return { lastCycle: at(lastCycleRows(table)), allCycles: at(fullWindowRows(table, opts.historyWindow ?? DEFAULT_HISTORY_WINDOW)) };
}
