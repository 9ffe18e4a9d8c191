/**
 * Official C-MAPSS test scoring (a test file with its RUL file):
 * - "last cycle": one row per unit, its last cycle;
 * - "all cycles": every row with a full window of history (index of the cycle within its unit
 *   ≥ window − 1).
 * Labels come from the true RUL: RUL at a row = RUL file value + (unit's last cycle − cycle);
 * label = RUL ≤ W.
 */
import { PrognosError } from '../../../shared/errors';
import { type FleetTable, unitSpans } from '../data/table';
import { DEFAULT_FAIL_WINDOW, failWithin, rulPerRow } from '../labels';
import { type Metrics, computeMetrics } from './metrics';

/** Default history window (cycles) of the sequence models; "all cycles" rows have at least this many. */
export const DEFAULT_HISTORY_WINDOW = 30;

export interface OfficialLabels {
  readonly rul: Int32Array;
  readonly label: Uint8Array;
}

/** Per-row true RUL and label of a test table; refuses a table without its RUL file. */
export function officialLabels(
  table: Pick<FleetTable, 'rowCount' | 'unit' | 'cycle' | 'rulAtEnd'>,
  labelWindow: number = DEFAULT_FAIL_WINDOW,
): OfficialLabels {
  if (table.rulAtEnd === undefined) {
    throw new PrognosError(
      'INVALID_INPUT',
      'official scoring needs the test file’s RUL file (true RUL at each unit’s end)',
    );
  }
  const rul = rulPerRow(table);
  return { rul, label: failWithin(rul, labelWindow) };
}

/** Row index of each unit's last cycle, in unit order. */
export function lastCycleRows(table: Pick<FleetTable, 'rowCount' | 'unit'>): Int32Array {
  return Int32Array.from(unitSpans(table), (s) => s.end - 1);
}

/** Rows with at least `window` cycles of history, i.e. position within the unit ≥ window − 1. */
export function fullWindowRows(
  table: Pick<FleetTable, 'rowCount' | 'unit'>,
  window: number = DEFAULT_HISTORY_WINDOW,
): Int32Array {
  if (!Number.isInteger(window) || window < 1) {
    throw new PrognosError('INVALID_INPUT', `window must be an integer ≥ 1, got ${window}`);
  }
  const out: number[] = [];
  for (const { start, end } of unitSpans(table)) {
    for (let i = start + window - 1; i < end; i++) out.push(i);
  }
  return Int32Array.from(out);
}

/** values[rows[k]] for every k, as float64. */
export function pickRows(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

export interface OfficialScores {
  readonly lastCycle: Metrics;
  readonly allCycles: Metrics;
}

/**
 * Metrics on a test table for per-row probabilities `p` (one per table row) at `threshold`. Units
 * shorter than the history window contribute their last cycle to "last cycle" and nothing to
 * "all cycles".
 */
export function scoreOfficial(
  table: Pick<FleetTable, 'rowCount' | 'unit' | 'cycle' | 'rulAtEnd'>,
  p: ArrayLike<number>,
  threshold: number,
  opts: { labelWindow?: number; historyWindow?: number } = {},
): OfficialScores {
  if (p.length !== table.rowCount) {
    throw new PrognosError('INVALID_INPUT', `official scoring: ${p.length} probabilities for ${table.rowCount} rows`);
  }
  const { label } = officialLabels(table, opts.labelWindow ?? DEFAULT_FAIL_WINDOW);
  const last = lastCycleRows(table);
  const full = fullWindowRows(table, opts.historyWindow ?? DEFAULT_HISTORY_WINDOW);
  return {
    lastCycle: computeMetrics(pickRows(p, last), pickRows(label, last), threshold),
    allCycles: computeMetrics(pickRows(p, full), pickRows(label, full), threshold),
  };
}
