import type { FleetTable } from '../core/data/table';

function shared<T extends Int32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = make(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * The table with its columns in shared memory: posting it to a worker then shares the columns
 * instead of copying them, so handing a large fleet to a worker costs the serving thread nothing.
 * Nobody writes to a loaded table (training works on its own copy).
 */
export function shareTable(t: FleetTable): FleetTable {
  return {
    ...t,
    unit: shared(t.unit, (b) => new Int32Array(b)),
    cycle: shared(t.cycle, (b) => new Int32Array(b)),
    values: t.values.map((v) => shared(v, (b) => new Float64Array(b))),
  };
}
