/** Tagged messages between the import service and its worker thread. */
import type { ErrorValue } from '../../shared/errors';
import type { DatasetRole } from '../../shared/housekeeping';
import type { ColumnMap, DatasetFormat, DatasetRegimes, DatasetSummary } from '../../shared/schemas';
import type { CountRequest, RangeRequest, RangeResult } from '../core/data/import-file';
import type { ColumnInfo, FleetTable } from '../core/data/table';

export type ImportWorkerRequest =
  | Readonly<{
      type: 'parse';
      path: string;
      displayName: string;
      rulPath?: string;
      rulDisplayName?: string;
      format?: DatasetFormat;
      map?: ColumnMap;
      /**
       * Post the table (`table`) as soon as it is parsed, when its columns are in shared memory (a
       * large C-MAPSS file, parsed in two parts in place), so that the receiver writes the columns,
       * hashing them itself, while this worker and its helper summarise it and detect its regimes;
       * `done` then carries neither the table nor the hashes. Otherwise as without.
       */
      tableFirst?: boolean;
    }>
  | Readonly<{ type: 'synth'; units: number; seed: number }>;

/** Whether two requests ask the import worker for the same work (an early-started worker may do a job's). */
export function sameImportRequest(a: ImportWorkerRequest, b: ImportWorkerRequest): boolean {
  if (a.type === 'synth' || b.type === 'synth') return a.type === 'synth' && b.type === 'synth' && a.units === b.units && a.seed === b.seed;
  const sameMap = (x: ColumnMap | undefined, y: ColumnMap | undefined): boolean =>
    x === undefined || y === undefined ? x === y : Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, r]) => Object.hasOwn(y, k) && y[k] === r);
  return (
    a.path === b.path &&
    a.displayName === b.displayName &&
    a.rulPath === b.rulPath &&
    a.rulDisplayName === b.rulDisplayName &&
    a.format === b.format &&
    (a.tableFirst ?? false) === (b.tableFirst ?? false) &&
    sameMap(a.map, b.map)
  );
}

export type ToImportWorker = Readonly<{ type: 'start'; request: ImportWorkerRequest }> | Readonly<{ type: 'cancel' }>;

/** A FleetTable flattened to transferable buffers. */
export interface WireTable {
  rowCount: number;
  unit: Int32Array;
  cycle: Int32Array;
  columns: ColumnInfo[];
  values: Float64Array[];
  rulAtEnd: [number, number][] | null;
}

export type FromImportWorker =
  | Readonly<{ type: 'progress'; fraction: number; message: string }>
  | Readonly<{
      /** the parsed table, its columns in shared memory, before it is summarised (requests with `tableFirst`) */
      type: 'table';
      table: WireTable;
      fingerprint: string;
      format: DatasetFormat;
    }>
  | Readonly<{
      type: 'done';
      /** null: posted before, in `table` */
      table: WireTable | null;
      fingerprint: string;
      format: DatasetFormat;
      summary: DatasetSummary;
      /** SHA-256 of each column as stored (unit, cycle, then the values); null when the table was posted first (its receiver hashes) */
      columnSha256: string[] | null;
      regimes: DatasetRegimes;
      /** guessed here, off the thread that commits */
      role: DatasetRole;
    }>
  | Readonly<{ type: 'error'; error: ErrorValue }>;

export function toWire(t: FleetTable): WireTable {
  return {
    rowCount: t.rowCount,
    unit: t.unit,
    cycle: t.cycle,
    columns: [...t.columns],
    values: [...t.values],
    rulAtEnd: t.rulAtEnd === undefined ? null : [...t.rulAtEnd.entries()],
  };
}

export function fromWire(w: WireTable): FleetTable {
  const base = { rowCount: w.rowCount, unit: w.unit, cycle: w.cycle, columns: w.columns, values: w.values };
  return w.rulAtEnd === null ? base : { ...base, rulAtEnd: new Map(w.rulAtEnd) };
}

export function transferList(w: WireTable): ArrayBuffer[] {
  const bufs = [w.unit.buffer, w.cycle.buffer, ...w.values.map((v) => v.buffer)];
  return [...new Set(bufs)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/**
 * Between the import worker and the helper thread that parses a later part of a large file. It may
 * first count its part's lines (while the import worker counts the first part's); after its part, the
 * thread may be asked to summarise the whole table (its columns in shared memory), and hash its
 * columns unless their receiver does, while the import worker detects the regimes and guesses the role.
 */
export type ToImportRangeWorker =
  | Readonly<{ type: 'count'; request: CountRequest }>
  | Readonly<{ type: 'start'; request: RangeRequest }>
  | Readonly<{ type: 'summarise'; table: FleetTable; hash: boolean }>
  | Readonly<{ type: 'cancel' }>;

export type FromImportRangeWorker =
  | Readonly<{ type: 'counted'; lines: number }>
  | Readonly<{ type: 'done'; result: RangeResult }>
  | Readonly<{ type: 'summarised'; summary: DatasetSummary; columnSha256: string[] | null }>
  | Readonly<{ type: 'error'; error: ErrorValue }>;
