/**
 * "As if cut": weights that make run-to-failure units look like the truncated units of a test file.
 *
 * The validation units of a training file run to failure, while a test file's unit stops at some cycle
 * of its life and its RUL is scored at that last cycle. If the cut falls uniformly between 30 % and
 * 95 % of a unit's life (the convention of `prognos synth --rul-out`), the chance that a given row is
 * a unit's last observed row is the same for every row in that range and zero outside it. Weighting
 * each row by that chance scores a model as one row per unit at a random cut, averaged over every cut:
 * each unit weighs 1 in total, spread evenly over its rows that a cut can reach.
 */
import { unitSpans, type FleetTable } from '../data/table';

/** the cut falls uniformly in this share of a unit's life */
export const CUT_FROM = 0.3;
export const CUT_TO = 0.95;

/** Whether a cut can fall at row `position` (0-based) of a unit of `length` rows. */
export function cutReaches(position: number, length: number): boolean {
  const at = (position + 0.5) / length;
  return at >= CUT_FROM && at <= CUT_TO;
}

/**
 * Per row of `rows` (ascending rows of `table`), the chance that its unit is cut there: within each
 * unit the rows a cut can reach share a weight of 1; a unit with none of them in `rows` (a unit so
 * short that every reachable row lacks a full window) spreads its 1 over all its rows in `rows`.
 */
export function cutWeights(table: Pick<FleetTable, 'rowCount' | 'unit'>, rows: Int32Array): Float64Array {
  const span = new Map<number, { start: number; length: number }>();
  for (const s of unitSpans(table)) span.set(s.unit, { start: s.start, length: s.end - s.start });
  const reach = new Map<number, number>();
  const count = new Map<number, number>();
  for (const r of rows) {
    const u = table.unit[r]!;
    const s = span.get(u)!;
    count.set(u, (count.get(u) ?? 0) + 1);
    if (cutReaches(r - s.start, s.length)) reach.set(u, (reach.get(u) ?? 0) + 1);
  }
  return Float64Array.from(rows, (r) => {
    const u = table.unit[r]!;
    const s = span.get(u)!;
    const reachable = reach.get(u) ?? 0;
    if (reachable === 0) return 1 / count.get(u)!;
    return cutReaches(r - s.start, s.length) ? 1 / reachable : 0;
  });
}
