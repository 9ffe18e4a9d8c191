/**
 * Data-quality notes on a fleet table, the same for a dataset of the store and a file parsed for the
 * CLI (one function, so the app and the CLI print the same notes): constant columns, units whose
 * history is shorter than the model's window, gaps in the cycle count, units that do not start at
 * cycle 1, a missing RUL file. Pure.
 */
import { summarizeFleet } from '../data/summary';
import { unitSpans, type FleetTable } from '../data/table';

/** at most this many unit ids are named in one note */
const MAX_NAMED = 12;

function named(units: readonly number[]): string {
  const shown = units.slice(0, MAX_NAMED).join(', ');
  return units.length > MAX_NAMED ? `${shown} and ${units.length - MAX_NAMED} more` : shown;
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function dataQualityNotes(table: FleetTable, windowLength: number): string[] {
  const notes: string[] = [];
  const summary = summarizeFleet(table);
  if (summary.constantColumns.length > 0) {
    notes.push(`Constant columns (no information): ${summary.constantColumns.join(', ')}.`);
  }
  const spans = unitSpans(table);
  const short: number[] = [];
  const gaps: number[] = [];
  const lateStart: number[] = [];
  for (const s of spans) {
    if (s.end - s.start < windowLength) short.push(s.unit);
    if (table.cycle[s.start]! !== 1) lateStart.push(s.unit);
    for (let i = s.start + 1; i < s.end; i++) {
      if (table.cycle[i]! - table.cycle[i - 1]! !== 1) {
        gaps.push(s.unit);
        break;
      }
    }
  }
  if (short.length > 0) {
    notes.push(`${plural(short.length, 'unit has', 'units have')} fewer than ${windowLength} cycles of history (the model's window), so the LSTM reads a padded window: ${named(short)}.`);
  }
  if (gaps.length > 0) notes.push(`${plural(gaps.length, 'unit has', 'units have')} gaps in the cycle count: ${named(gaps)}.`);
  if (lateStart.length > 0) notes.push(`${plural(lateStart.length, 'unit does', 'units do')} not start at cycle 1: ${named(lateStart)}.`);
  if (table.rulAtEnd === undefined) notes.push('No RUL file: the true remaining life of the units is unknown, so the report shows predictions only.');
  if (notes.length === 0 || (notes.length === 1 && table.rulAtEnd === undefined)) {
    notes.unshift(`${plural(summary.units, 'unit', 'units')}, ${plural(summary.rows, 'row', 'rows')}; ${summary.minCycles}–${summary.maxCycles} cycles per unit (median ${summary.medianCycles}); no constant columns, short histories or cycle gaps.`);
  } else {
    notes.unshift(`${plural(summary.units, 'unit', 'units')}, ${plural(summary.rows, 'row', 'rows')}; ${summary.minCycles}–${summary.maxCycles} cycles per unit (median ${summary.medianCycles}).`);
  }
  return notes;
}
