/** Unit histories as the API takes them, turned into the fleet table the scorer reads. */
import { PrognosError } from '../../shared/errors';
import type { BundleManifest } from '../core/export';
import type { ColumnInfo, FleetTable } from '../core/data/table';
import type { UnitScore } from '../core/export/score';
import { checkCycleOrder } from './history-rows';
import type { HistoryRow } from './types';

export interface UnitHistory {
  readonly unit: number;
  readonly rows: readonly HistoryRow[];
}

const INT32_MAX = 2 ** 31 - 1;

function fieldError(field: string, message: string): PrognosError {
  return new PrognosError('INVALID_INPUT', `${field}: ${message}`, { field });
}

/**
 * One table for the units, in request order. The schema has checked types and required columns;
 * this checks what a schema cannot: unit ids unique, whole numbers in range, cycles strictly increasing.
 * Columns the bundle knows but the request leaves out (other than the history columns, which the
 * schema requires) are NaN.
 */
export function tableOf(units: readonly UnitHistory[], m: BundleManifest, path = 'units'): FleetTable {
  const columns: ColumnInfo[] = m.rawInput.columns
    .filter((c) => c.role === 'setting' || c.role === 'sensor')
    .map((c) => ({ name: c.name, original: c.original, role: c.role }));
  const seen = new Set<number>();
  let rowCount = 0;
  units.forEach((u, i) => {
    if (!Number.isInteger(u.unit) || Math.abs(u.unit) > INT32_MAX) throw fieldError(`${path}[${i}].unit`, 'must be a whole number within ±2147483647');
    if (seen.has(u.unit)) throw fieldError(`${path}[${i}].unit`, `unit ${u.unit} appears twice in the request`);
    seen.add(u.unit);
    checkCycleOrder(u.rows, undefined, `${path}[${i}].rows`);
    u.rows.forEach((r, j) => {
      if (Math.abs(r.cycle!) > INT32_MAX) throw fieldError(`${path}[${i}].rows[${j}].cycle`, 'must be within ±2147483647');
    });
    rowCount += u.rows.length;
  });
  const unit = new Int32Array(rowCount);
  const cycle = new Int32Array(rowCount);
  const values = columns.map(() => new Float64Array(rowCount));
  const names = columns.map((c) => c.name);
  const C = names.length;
  let at = 0;
  for (const u of units) {
    for (const r of u.rows) {
      unit[at] = u.unit;
      cycle[at] = r.cycle!;
      for (let k = 0; k < C; k++) {
        const v = r[names[k]!];
        values[k]![at] = typeof v === 'number' ? v : Number.NaN;
      }
      at++;
    }
  }
  return { rowCount, unit, cycle, columns, values };
}

/** The response body's prediction of one unit, exactly the fields of openapi.json's UnitPrediction. */
export function unitPrediction(s: UnitScore): Record<string, unknown> {
  return {
    unit: s.unit,
    cycle: s.cycle,
    probability: s.probability,
    parts: s.parts.lstm === undefined ? { gbdt: s.parts.gbdt } : { gbdt: s.parts.gbdt, lstm: s.parts.lstm },
    alert: s.alert,
    ...(s.rul === undefined ? {} : { rul: s.rul, rulLow: s.rulLow, rulHigh: s.rulHigh }),
  };
}

/** JSON with object keys sorted at every level: equal inputs give equal text (the cache key). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
