/**
 * Fixed-length history windows for the sequence model.
 *
 * A window ends at a target row and holds the `length` rows of the same unit up to and including it,
 * oldest first, never crossing a unit boundary. A target row with fewer than `length` rows of
 * history in its unit (the first cycles of every unit, and every row of a unit shorter than the
 * window) is left-padded by repeating the unit's first row; such windows are counted in `padded`,
 * and the windows of units shorter than the window are counted separately in `shortUnitWindows`.
 *
 * Layout: `data` is [n, length, features] row-major (window, time step, feature), float32.
 */
import { PrognosError } from '../../shared/errors';
import { type FleetTable, unitSpans } from './data/table';

export const DEFAULT_WINDOW_LENGTH = 30;

export interface Windows {
  /** [n, length, features] row-major */
  readonly data: Float32Array;
  readonly n: number;
  readonly length: number;
  readonly features: number;
}

export interface BuiltWindows extends Windows {
  /** windows that needed left padding (fewer than `length` rows of history in the unit) */
  readonly padded: number;
  /** windows whose whole unit is shorter than `length` rows (a subset of `padded`) */
  readonly shortUnitWindows: number;
}

type UnitIndex = Pick<FleetTable, 'rowCount' | 'unit'>;

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 1) {
    throw new PrognosError('INVALID_INPUT', `window length must be an integer ≥ 1, got ${length}`);
  }
}

/** For every row, the index of the first row of its unit. */
function unitStarts(table: UnitIndex): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(table.rowCount);
  const end = new Int32Array(table.rowCount);
  for (const s of unitSpans(table)) {
    for (let i = s.start; i < s.end; i++) {
      start[i] = s.start;
      end[i] = s.end;
    }
  }
  return { start, end };
}

/**
 * Windows ending at `rows` over the (already selected and scaled) feature `columns`, one value per
 * table row each. Rows must be valid row indices of `table`; the order of `rows` is kept.
 */
export function buildWindows(
  columns: readonly Float32Array[],
  table: UnitIndex,
  rows: Int32Array,
  length: number = DEFAULT_WINDOW_LENGTH,
): BuiltWindows {
  checkLength(length);
  const features = columns.length;
  if (features === 0) throw new PrognosError('INVALID_INPUT', 'windows need at least one feature column');
  for (let f = 0; f < features; f++) {
    if (columns[f]!.length !== table.rowCount) {
      throw new PrognosError(
        'INVALID_INPUT',
        `feature column ${f} has ${columns[f]!.length} values, the table ${table.rowCount} rows`,
      );
    }
  }
  const n = rows.length;
  const { start, end } = unitStarts(table);
  const data = new Float32Array(n * length * features);
  let padded = 0;
  let shortUnitWindows = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= table.rowCount) {
      throw new PrognosError('INVALID_INPUT', `window end row ${r} is outside the table (0..${table.rowCount - 1})`);
    }
    const first = start[r]!;
    const history = r - first + 1;
    if (history < length) {
      padded++;
      if (end[r]! - first < length) shortUnitWindows++;
    }
    const base = k * length * features;
    for (let s = 0; s < length; s++) {
      // time step s holds row r - (length - 1 - s), clamped to the unit's first row
      const src = Math.max(first, r - (length - 1 - s));
      const o = base + s * features;
      for (let f = 0; f < features; f++) data[o + f] = columns[f]![src]!;
    }
  }
  return { data, n, length, features, padded, shortUnitWindows };
}

export interface WindowEndOptions {
  /** window length (default 30) */
  length?: number;
  /** keep every `stride`-th row counted back from each unit's last row (default 1: every row) */
  stride?: number;
  /** only rows with at least `length` rows of history in their unit (default false) */
  fullOnly?: boolean;
}

export interface WindowEnds {
  /** target rows (window ends), ascending */
  rows: Int32Array;
  /** units with fewer rows than the window length, in table order */
  shortUnits: number[];
  /** units that contribute no row (short units when `fullOnly`), in table order */
  skippedUnits: number[];
  /** rows among `rows` whose window needs padding */
  padded: number;
}

/**
 * Target rows for windows. `unitsOrRows` selects the candidates: unit ids (an array of numbers),
 * explicit candidate rows (an Int32Array of row indices), or every row when omitted. With a stride
 * s, a unit keeps its last row and every s-th row before it, so the most recent cycle is always
 * scored.
 */
export function windowEnds(
  table: UnitIndex,
  unitsOrRows?: readonly number[] | Int32Array,
  opts: WindowEndOptions = {},
): WindowEnds {
  const length = opts.length ?? DEFAULT_WINDOW_LENGTH;
  checkLength(length);
  const stride = opts.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new PrognosError('INVALID_INPUT', `stride must be an integer ≥ 1, got ${stride}`);
  }
  const fullOnly = opts.fullOnly ?? false;
  let candidate: Uint8Array | undefined;
  if (unitsOrRows instanceof Int32Array) {
    candidate = new Uint8Array(table.rowCount);
    for (const r of unitsOrRows) {
      if (!Number.isInteger(r) || r < 0 || r >= table.rowCount) {
        throw new PrognosError('INVALID_INPUT', `row ${r} is outside the table (0..${table.rowCount - 1})`);
      }
      candidate[r] = 1;
    }
  }
  const wantedUnits =
    unitsOrRows !== undefined && !(unitsOrRows instanceof Int32Array) ? new Set(unitsOrRows) : undefined;
  const out: number[] = [];
  const shortUnits: number[] = [];
  const skippedUnits: number[] = [];
  let padded = 0;
  for (const s of unitSpans(table)) {
    if (wantedUnits !== undefined && !wantedUnits.has(s.unit)) continue;
    const size = s.end - s.start;
    const short = size < length;
    if (candidate !== undefined) {
      let any = false;
      for (let i = s.start; i < s.end && !any; i++) any = candidate[i] === 1;
      if (!any) continue;
    }
    if (short) shortUnits.push(s.unit);
    const lowest = fullOnly ? s.start + length - 1 : s.start;
    const picked: number[] = [];
    for (let i = s.end - 1; i >= lowest; i -= stride) {
      if (candidate === undefined || candidate[i] === 1) picked.push(i);
    }
    if (picked.length === 0) {
      skippedUnits.push(s.unit);
      continue;
    }
    for (let k = picked.length - 1; k >= 0; k--) {
      const r = picked[k]!;
      if (r - s.start + 1 < length) padded++;
      out.push(r);
    }
  }
  return { rows: Int32Array.from(out), shortUnits, skippedUnits, padded };
}
