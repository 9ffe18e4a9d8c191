/**
 * Data-quality notes for a report's health section, from the fleet's summary. A dataset of the store
 * has its summary from import; a file the CLI reads is summarised the same way (`summarizeFleet`),
 * so the same data gives the same notes, and the same bytes, whichever way it arrived.
 */
import type { DatasetSummary } from '../../../shared/schemas';

export function qualityNotes(summary: DatasetSummary): string[] {
  const notes: string[] = [];
  notes.push(
    `${summary.rows.toLocaleString('en-US')} rows of ${summary.units.toLocaleString('en-US')} units; ${summary.minCycles}–${summary.maxCycles} cycles per unit (median ${summary.medianCycles}).`,
  );
  if (summary.constantColumns.length > 0) {
    notes.push(`Constant columns (no information, left out by the features): ${summary.constantColumns.join(', ')}.`);
  }
  notes.push(summary.hasRul ? 'A RUL file came with the data: true remaining cycles are shown beside the estimates.' : 'No RUL file came with the data.');
  return notes;
}
