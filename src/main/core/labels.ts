/**
 * Labels: remaining useful life (RUL) per row and the binary "failure within W cycles" label.
 *
 * Training (run-to-failure) table: RUL = unit's last cycle − cycle (0 at the failure cycle).
 * Test table imported with its RUL file (`rulAtEnd`): RUL = rulAtEnd[unit] + (unit's last cycle − cycle).
 */
import { PrognosError } from '../../shared/errors';
import { type FleetTable, unitSpans } from './data/table';

/** Default label horizon W in cycles. */
export const DEFAULT_FAIL_WINDOW = 30;

export function rulPerRow(table: Pick<FleetTable, 'rowCount' | 'unit' | 'cycle' | 'rulAtEnd'>): Int32Array {
  const rul = new Int32Array(table.rowCount);
  for (const span of unitSpans(table)) {
    let offset = 0;
    if (table.rulAtEnd !== undefined) {
      const end = table.rulAtEnd.get(span.unit);
      if (end === undefined) {
        throw new PrognosError('INVALID_INPUT', `no true RUL for unit ${span.unit} in the RUL file`, {
          unit: span.unit,
        });
      }
      offset = end;
    }
    const last = table.cycle[span.end - 1]!;
    for (let i = span.start; i < span.end; i++) rul[i] = offset + (last - table.cycle[i]!);
  }
  return rul;
}

/** 1 where RUL ≤ W ("fails within W cycles"), else 0. */
export function failWithin(rul: ArrayLike<number>, window: number = DEFAULT_FAIL_WINDOW): Uint8Array {
  if (!(window >= 0) || !Number.isFinite(window)) {
    throw new PrognosError('INVALID_INPUT', `label window must be a finite number ≥ 0, got ${window}`);
  }
  const out = new Uint8Array(rul.length);
  for (let i = 0; i < rul.length; i++) out[i] = rul[i]! <= window ? 1 : 0;
  return out;
}
