/**
 * The columnar fleet table: every imported dataset, real or synthetic, becomes one of these.
 * Rows are sorted by unit, then cycle (the importer guarantees it and validates the file order).
 */

export type ColumnRole = 'unit' | 'cycle' | 'setting' | 'sensor';

export interface ColumnInfo {
  /**
   * Name used everywhere in Prognos: unit, cycle, setting1..3, s1..s21 for C-MAPSS; for CSV the header
   * sanitized to letters, digits and underscores (made unique).
   */
  readonly name: string;
  /** The header in the source file (same as name for C-MAPSS text). */
  readonly original: string;
  readonly role: ColumnRole;
}

export interface FleetTable {
  readonly rowCount: number;
  /** unit id per row */
  readonly unit: Int32Array;
  /** cycle per row, strictly increasing within a unit */
  readonly cycle: Int32Array;
  /** Settings then sensors, in file order; `values[i]` belongs to `columns[i]`. */
  readonly columns: readonly ColumnInfo[];
  readonly values: readonly Float64Array[];
  /**
   * For a test file imported with its RUL file: true remaining cycles after each unit's last row,
   * keyed by unit id. Absent for run-to-failure (training) files.
   */
  readonly rulAtEnd?: ReadonlyMap<number, number>;
}

/** Contiguous row range of one unit: rows [start, end). */
export interface UnitSpan {
  readonly unit: number;
  readonly start: number;
  readonly end: number;
}

export function unitSpans(table: Pick<FleetTable, 'unit' | 'rowCount'>): UnitSpan[] {
  const spans: UnitSpan[] = [];
  let start = 0;
  for (let i = 1; i <= table.rowCount; i++) {
    if (i === table.rowCount || table.unit[i] !== table.unit[start]) {
      spans.push({ unit: table.unit[start]!, start, end: i });
      start = i;
    }
  }
  return spans;
}

/** Standard C-MAPSS column names: unit, cycle, setting1..3, s1..s21. */
export const CMAPSS_VALUE_COLUMNS: readonly ColumnInfo[] = [
  ...[1, 2, 3].map((i) => ({ name: `setting${i}`, original: `setting${i}`, role: 'setting' as const })),
  ...Array.from({ length: 21 }, (_, i) => ({ name: `s${i + 1}`, original: `s${i + 1}`, role: 'sensor' as const })),
];

/** rows [from, to) of a table as views (units are contiguous blocks of rows) */
export function rowRange(t: FleetTable, from: number, to: number): FleetTable {
  return {
    rowCount: to - from,
    unit: t.unit.subarray(from, to),
    cycle: t.cycle.subarray(from, to),
    columns: t.columns,
    values: t.values.map((v) => v.subarray(from, to)),
    ...(t.rulAtEnd === undefined ? {} : { rulAtEnd: t.rulAtEnd }),
  };
}

/** the chosen units' rows, copied into one table */
export function pickUnits(t: FleetTable, spans: readonly UnitSpan[]): FleetTable {
  const rows = Int32Array.from(spans.flatMap((s) => Array.from({ length: s.end - s.start }, (_, k) => s.start + k)));
  return {
    rowCount: rows.length,
    unit: Int32Array.from(rows, (r) => t.unit[r]!),
    cycle: Int32Array.from(rows, (r) => t.cycle[r]!),
    columns: t.columns,
    values: t.values.map((v) => Float64Array.from(rows, (r) => v[r]!)),
    ...(t.rulAtEnd === undefined ? {} : { rulAtEnd: t.rulAtEnd }),
  };
}
