/**
 * SHA-256 of each column's bytes, in the store's column order (unit, cycle, then the values): what
 * `dataset_columns.sha256` holds. Computed where the columns are made (the import worker or its
 * helper thread), so the thread that commits only writes them.
 */
import { createHash } from 'node:crypto';
import type { FleetTable } from './table';

/** A column's bytes as stored: the typed array's own bytes, in the host's (little-endian) order. */
function sha256Of(column: Int32Array | Float64Array): string {
  return createHash('sha256')
    .update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength))
    .digest('hex');
}

export function columnSha256(columns: Pick<FleetTable, 'unit' | 'cycle' | 'values'>): string[] {
  return [sha256Of(columns.unit), sha256Of(columns.cycle), ...columns.values.map(sha256Of)];
}

/** Whether every column lives in shared memory (another thread can then read them as they are). */
export function inSharedMemory(columns: Pick<FleetTable, 'unit' | 'cycle' | 'values'>): boolean {
  return [columns.unit, columns.cycle, ...columns.values].every((c) => c.buffer instanceof SharedArrayBuffer);
}
